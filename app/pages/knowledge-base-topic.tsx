import { A, useParams } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";
import { type Article, articles, type Block } from "../help/articles";

function BlockView(props: { block: Block }) {
  const b = props.block;
  return (
    <Switch>
      <Match when={"h" in b && b}>{(x) => <h2 style={{ "margin-top": "var(--space-m)" }}>{x().h}</h2>}</Match>
      <Match when={"p" in b && b}>{(x) => <p>{x().p}</p>}</Match>
      <Match when={"note" in b && b}>
        {(x) => (
          <div class="message" role="note">
            <span>{x().note}</span>
          </div>
        )}
      </Match>
      <Match when={"steps" in b && b}>
        {(x) => (
          <ol>
            <For each={x().steps}>{(s) => <li>{s}</li>}</For>
          </ol>
        )}
      </Match>
      <Match when={"list" in b && b}>
        {(x) => (
          <ul>
            <For each={x().list}>{(s) => <li>{s}</li>}</For>
          </ul>
        )}
      </Match>
      <Match when={"qa" in b && b}>
        {(x) => (
          <For each={x().qa}>
            {(item) => (
              <section class="stack" aria-label={item.q}>
                <h2 style={{ "margin-top": "var(--space-m)" }}>{item.q}</h2>
                <h3>Possible causes</h3>
                <ul>
                  <For each={item.causes}>{(c) => <li>{c}</li>}</For>
                </ul>
                <h3>What to do</h3>
                <ol>
                  <For each={item.fix}>{(f) => <li>{f}</li>}</For>
                </ol>
              </section>
            )}
          </For>
        )}
      </Match>
    </Switch>
  );
}

function ArticleView(props: { article: Article }) {
  const others = () => articles.filter((a) => a.slug !== props.article.slug);
  return (
    <>
      <PageHeader
        title={props.article.title}
        description={props.article.summary}
        actions={
          props.article.screen ? (
            <A class="btn btn--secondary" href={props.article.screen.href}>
              {props.article.screen.label}
            </A>
          ) : undefined
        }
      />
      <Card>
        <article class="stack help-article" style={{ "max-width": "72ch", "line-height": 1.55 }}>
          <For each={props.article.body}>{(block) => <BlockView block={block} />}</For>
        </article>
      </Card>
      <Card title="Other help pages" level={2}>
        <ul>
          <For each={others()}>
            {(a) => (
              <li>
                <A href={`/help/${a.slug}`}>{a.title}</A>
              </li>
            )}
          </For>
        </ul>
      </Card>
    </>
  );
}

/** One Knowledge Base page. */
export default function KnowledgeBaseTopic() {
  const params = useParams();
  const article = () => articles.find((a) => a.slug === params.topic);
  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/help">Knowledge Base</A> › {article()?.title ?? params.topic}
      </nav>
      <Show
        when={article()}
        keyed
        fallback={
          <>
            <PageHeader title="Help page not found" />
            <Card>
              <EmptyState title="There is no help page at this address">
                <A href="/help">Browse or search the Knowledge Base</A>.
              </EmptyState>
            </Card>
          </>
        }
      >
        {(a) => <ArticleView article={a} />}
      </Show>
    </div>
  );
}

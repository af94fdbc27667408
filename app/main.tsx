import { render } from "solid-js/web";

render(() => <main>Strongbox</main>, document.getElementById("root")!);

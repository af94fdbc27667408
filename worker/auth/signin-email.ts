import { button, esc, layout, p, type RenderedEmail } from "../notify/templates";

export function signinEmail(input: { link: string; minutes: number }): RenderedEmail {
  const subject = "Your Strongbox sign-in link";
  const html = layout(
    "Sign in to Strongbox",
    p("Someone (hopefully you) asked to sign in to Strongbox with this email address.") +
      button(input.link, "Sign in to Strongbox") +
      p(`The link works once and expires in ${input.minutes} minutes.`),
    esc("If you did not ask for this, ignore this email: nobody can sign in without the link."),
  );
  const text = `Sign in to Strongbox\n\nOpen this link to sign in (it works once and expires in ${input.minutes} minutes):\n${input.link}\n\nIf you did not ask for this, ignore this email.`;
  return { subject, html, text };
}

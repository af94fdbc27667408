import { Router } from "@solidjs/router";
import { render } from "solid-js/web";
import { AppShell } from "./components/app-shell";
import { routes } from "./routes";
import "./styles.css";

render(() => <Router root={AppShell}>{routes}</Router>, document.getElementById("root")!);

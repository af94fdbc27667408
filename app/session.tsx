import { createContext, useContext } from "solid-js";
import type { Plan, Session } from "./api";

export const SessionContext = createContext<Session>();

/**
 * The signed-in user and store; available on every page (the shell renders pages only with a session).
 * It is a mutable store: assigning a field (e.g. `session.store.plan = "pro"` after a plan change) updates
 * everything that shows it, such as the store header.
 */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside the app shell");
  return session;
}

export const planNames: Record<Plan, string> = { free: "Free", standard: "Standard", pro: "Pro" };

export function planName(plan: string): string {
  return planNames[plan as Plan] ?? plan;
}

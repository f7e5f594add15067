// How a linked user is named on the dashboard: the name they chose, else their Oura account's email, else their id.

export interface Named {
  user_id: string;
  email?: string | null;
  display_name?: string | null;
}

/** The name they chose or their email; undefined when Oura gave neither. */
export const chosenName = (account: Named | undefined): string | undefined => account?.display_name ?? account?.email ?? undefined;

/** What the page shows for a user: their name, else their Oura id. */
export const shownName = (account: Named): string => chosenName(account) ?? account.user_id;

/** The names the feed shows for the users a viewer may see. */
export function userNames(accounts: readonly Named[]): ReadonlyMap<string, string> {
  return new Map(accounts.flatMap((account) => {
    const name = chosenName(account);
    return name ? [[account.user_id, name] as const] : [];
  }));
}

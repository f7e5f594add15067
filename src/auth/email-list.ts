// OPERATOR_EMAILS, ALLOWED_EMAILS and DATABRICKS_APP_OPERATORS: exact emails or `*@domain`, compared without case.

export function emailListed(list: readonly string[], email: string | null | undefined): boolean {
  if (!email) return false;
  const wanted = email.trim().toLowerCase();
  const domain = wanted.slice(wanted.lastIndexOf("@") + 1);
  return list.some((entry) => entry === wanted || (entry.startsWith("*@") && entry.slice(2) === domain));
}

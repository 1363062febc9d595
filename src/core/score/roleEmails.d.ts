/** The package ships plain CommonJS without types: an array of role mailbox names, grouped also by kind. */
declare module "role-based-email-addresses" {
  const roles: readonly string[];
  export default roles;
}

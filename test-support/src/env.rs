/// A `from_env_with` lookup that reads `vars`, as a test sets them, instead
/// of the process's environment: the value of the first pair named `name`.
///
/// ```
/// let vars = [("BETTER_AUTH_SECRET", "s3cret"), ("PORT", "8000")];
/// let lookup = jwtguard_test_support::env(&vars);
/// assert_eq!(lookup("PORT").as_deref(), Some("8000"));
/// assert_eq!(lookup("BETTER_AUTH_URL"), None);
/// ```
pub fn env<V: AsRef<str>>(vars: &[(&str, V)]) -> impl Fn(&str) -> Option<String> + Clone {
    move |name| {
        vars.iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| value.as_ref().to_owned())
    }
}

"""Single sign-on (ACC-1, ACC-7): agents, and customers where an admin allows it, sign in
through the vendor's OpenID Connect provider (Microsoft Entra ID, Google, Keycloak...).

``models`` holds the providers an admin configured and the links of accounts to them;
``crypto`` keeps client secrets encrypted with a key from the configuration; ``oidc`` speaks
the protocol (discovery, PKCE, the ID token's signature and claims) and knows no database;
``service`` decides who is signed in; ``views`` are the sign-in and admin pages.
"""

package dev.jbuild.registry;

/**
 * No authorisation: a registry that has not asked for any (yet), or whose challenges name no
 * scheme jbuild speaks. A 401 under it has nothing better to retry with.
 */
final class AnonymousScheme implements AuthScheme {

    static final AnonymousScheme INSTANCE = new AnonymousScheme();

    private AnonymousScheme() {}

    @Override
    public String authorization(Scope scope) {
        return null;
    }

    @Override
    public boolean retryAfterUnauthorized(Scope scope, String sent) {
        return false;
    }
}

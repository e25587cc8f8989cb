package org.quayside.shell

/**
 * The core's one JNI entry point beside its uniffi bindings. rustls-platform-verifier checks
 * server certificates with Android's own trust store through JNI and needs the application
 * `Context` once, before the first HTTPS request: [initTls] hands it over. Implemented in
 * libquayside_core.so as `Java_org_quayside_shell_QuaysideNative_initTls` (core/src/platform.rs);
 * on a desktop JVM it does nothing, which is how the JVM tests call it.
 */
object QuaysideNative {
    init {
        System.loadLibrary("quayside_core")
    }

    /** Hands [context] (an `android.content.Context`) to the core's TLS verifier; call from
     *  `Application.onCreate()` before any sync. */
    @JvmStatic
    external fun initTls(context: Any)
}

//! Entry points a platform calls outside uniffi. Android: rustls' platform verifier checks
//! server certificates through Android's own trust store over JNI, and must be handed the app's
//! `Context` once before the first HTTPS request (`QuaysideNative.initTls(context)` in the
//! shell). Elsewhere the verifier needs nothing and the call does nothing, so the same Kotlin
//! runs on a desktop JVM in tests.

use jni::EnvUnowned;
use jni::objects::{JClass, JObject};

/// `org.quayside.shell.QuaysideNative.initTls(context: Any)`: gives the platform verifier the
/// Android `Context` (an application context). Throws a Java `RuntimeException` if Android's
/// verifier classes are missing from the app (the `org.rustls:rustls-platform-verifier` AAR).
#[allow(unsafe_code)] // a JNI entry point must keep its exact symbol name
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_quayside_shell_QuaysideNative_initTls<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    env.with_env(|env| -> Result<(), jni::errors::Error> { init_tls(env, context) })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}

#[cfg(target_os = "android")]
fn init_tls(env: &mut jni::Env<'_>, context: JObject<'_>) -> Result<(), jni::errors::Error> {
    rustls_platform_verifier::android::init_with_env(env, context)
}

#[cfg(not(target_os = "android"))]
fn init_tls(_env: &mut jni::Env<'_>, _context: JObject<'_>) -> Result<(), jni::errors::Error> {
    Ok(())
}

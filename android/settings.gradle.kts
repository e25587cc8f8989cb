// The Android shell of Quayside: `app` (Jetpack Compose screens, WorkManager, camera) on top of
// `core-kotlin` (plain Kotlin logic over the generated uniffi bindings, tested on the desktop JVM).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // rustls-platform-verifier's Android support (the core's TLS verifies with the platform's
        // trust store through it); published as a Maven repository inside its GitHub project.
        maven {
            url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            content { includeGroup("org.rustls") }
        }
    }
}

rootProject.name = "quayside-android"
include(":core-kotlin", ":app")

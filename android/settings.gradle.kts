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
    }
}

rootProject.name = "quayside-android"
include(":core-kotlin", ":app")

// The Android app: Compose screens, WorkManager sync, in-app camera (CameraX). All logic comes from
// :core-kotlin; the native core (libquayside_core.so) is cross-compiled by cargo-ndk before preBuild.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val repoRoot: File = rootDir.parentFile
val rustAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val rustJniLibs: File = layout.buildDirectory.dir("rustJniLibs").get().asFile
val cargoTargetDir: String = System.getenv("CARGO_TARGET_DIR") ?: "${System.getProperty("user.home")}/.cache/quayside-target"
val rustProfile: String = (findProperty("quayside.rustProfile") as String?) ?: "release"

android {
    namespace = "org.quayside.android"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        applicationId = "org.quayside.android"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += rustAbis }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
    }

    packaging {
        // Native libraries stay uncompressed and page-aligned in the APK (16 KB pages); the core is
        // linked with -z max-page-size=16384 (.cargo/config.toml) and JNA 5.17+ ships an aligned libjnidispatch.so.
        jniLibs { useLegacyPackaging = false }
    }
    sourceSets.getByName("main") {
        jniLibs.srcDir(rustJniLibs)
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
        optIn.add("androidx.compose.material3.ExperimentalMaterial3Api")
    }
}

/** Cross-compiles the core for every ABI the app ships, into build/rustJniLibs/<abi>/libquayside_core.so. */
val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libquayside_core.so for ${rustAbis.joinToString()} with cargo-ndk"
    workingDir = repoRoot
    // Resolved only when the task runs, so JVM-only builds (:core-kotlin:test) need no NDK.
    val ndkDir = androidComponents.sdkComponents.ndkDirectory
    val args = mutableListOf("cargo", "ndk")
    rustAbis.forEach { args += listOf("-t", it) }
    args += listOf("--platform", libs.versions.minSdk.get(), "-o", rustJniLibs.absolutePath, "build", "-p", "quayside-core")
    if (rustProfile == "release") args += "--release"
    commandLine(args)
    environment("CARGO_TARGET_DIR", cargoTargetDir)
    doFirst { environment("ANDROID_NDK_HOME", ndkDir.get().asFile.absolutePath) }
    outputs.dir(rustJniLibs)
    outputs.upToDateWhen { false } // cargo decides what is stale
}

tasks.named("preBuild") {
    dependsOn(cargoNdkBuild)
}

dependencies {
    implementation(project(":core-kotlin"))
    // JNA for Android: the AAR carries libjnidispatch.so for each ABI.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    // The Java half of rustls-platform-verifier: the core's HTTPS checks certificates with Android's
    // trust store (QuaysideNative.initTls hands it the Context at start).
    implementation(libs.rustls.platform.verifier)
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.ui.graphics)
    implementation(libs.androidx.compose.ui.tooling.preview)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.compose.material.icons.core)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.work.runtime.ktx)
    // The enrolment screen scans the administrator's QR code with Google's code scanner (no camera permission).
    implementation(libs.play.services.code.scanner)
    // Evidence photos: CameraX in the app, captured in memory and handed to the core to seal.
    implementation(libs.androidx.camera.core)
    implementation(libs.androidx.camera.camera2)
    implementation(libs.androidx.camera.lifecycle)
    implementation(libs.androidx.camera.view)
    debugImplementation(libs.androidx.compose.ui.tooling)
}

// The shell's logic layer: plain Kotlin (JVM) over the generated uniffi bindings, no Android
// imports. The bindings are generated from the host build of the core by scripts/bindings.sh (the
// in-repo uniffi-bindgen) into ../../build/bindings/kotlin and compiled as part of this module.
// Its tests run on the desktop JVM against the real host library and a real quayside-server.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.kotlin.jvm)
}

val repoRoot: File = rootDir.parentFile
val cargoTargetDir: String = System.getenv("CARGO_TARGET_DIR") ?: "${System.getProperty("user.home")}/.cache/quayside-target"
val bindingsDir = File(repoRoot, "build/bindings/kotlin")

val generateBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds the host core library and generates its Kotlin bindings (scripts/bindings.sh)"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir)
    commandLine("bash", "scripts/bindings.sh")
    outputs.dir(bindingsDir)
    // cargo knows what is stale; the script is quick when nothing changed.
    outputs.upToDateWhen { false }
}

val buildServer by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds quayside-server (debug), which the sync tests start on loopback"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir)
    commandLine("cargo", "build", "-q", "-p", "quayside-server")
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
    sourceSets.named("main") {
        kotlin.srcDir(files(bindingsDir).builtBy(generateBindings))
    }
}

dependencies {
    // The app ships JNA as the Android AAR (with its native dispatch libraries); the JVM tests use the jar.
    compileOnly(libs.jna)
    implementation(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(libs.junit)
}

tasks.test {
    dependsOn(buildServer)
    systemProperty("jna.library.path", "$cargoTargetDir/debug")
    environment("QUAYSIDE_SERVER_BIN", "$cargoTargetDir/debug/quayside-server")
}

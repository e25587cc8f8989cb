//! The uniffi bindings generator, built from the same uniffi version as the core so the generated
//! Kotlin, Swift and Python always match the library's metadata.
fn main() {
    uniffi::uniffi_bindgen_main()
}

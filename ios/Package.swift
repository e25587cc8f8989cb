// swift-tools-version:5.9
//
// QuaysideKit: the iOS shell's logic layer over the Rust core.
//
// Targets:
// - QuaysideCoreFFI: the Rust core as a static-library XCFramework (C header + module map), built by
//   `build-xcframework.sh`; not committed.
// - QuaysideCore: the Swift bindings uniffi generates from the core (`Sources/QuaysideCore/
//   QuaysideCore.swift`, written by `build-xcframework.sh`; not committed).
// - QuaysideKit: hand-written Swift: the observable store, editor state, error messages and the
//   sync scheduling policy the SwiftUI app is built on.
//
// Run `./build-xcframework.sh` once (and after every change to the core), then `swift test`.
import PackageDescription

let package = Package(
    name: "QuaysideKit",
    platforms: [
        .iOS(.v16),
        // macOS only so that `swift test` runs the tests on a Mac against the real core.
        .macOS(.v13),
    ],
    products: [
        .library(name: "QuaysideKit", targets: ["QuaysideKit", "QuaysideCore"]),
    ],
    targets: [
        .binaryTarget(
            name: "QuaysideCoreFFI",
            path: "Frameworks/QuaysideCoreFFI.xcframework"
        ),
        .target(
            name: "QuaysideCore",
            dependencies: ["QuaysideCoreFFI"],
            path: "Sources/QuaysideCore",
            exclude: ["README.md"],
            linkerSettings: [
                // The core verifies TLS certificates with the platform verifier (Security.framework);
                // a static library does not carry its framework dependencies, so name them here.
                .linkedFramework("Security"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
        .target(
            name: "QuaysideKit",
            dependencies: ["QuaysideCore"],
            path: "Sources/QuaysideKit"
        ),
        .testTarget(
            name: "QuaysideKitTests",
            dependencies: ["QuaysideKit", "QuaysideCore"],
            path: "Tests/QuaysideKitTests"
        ),
    ]
)

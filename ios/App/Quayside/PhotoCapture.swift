import ImageIO
import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit
import UniformTypeIdentifiers

/// The system camera (the photo library where there is no camera, as in the simulator). It hands
/// on the photo as JPEG bytes in memory (``CapturedJPEG``), for the core to seal into its inbox:
/// the app writes no file of it.
struct CameraPicker: UIViewControllerRepresentable {
    let onPhoto: (Data) -> Void
    let onCancel: () -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = UIImagePickerController.isSourceTypeAvailable(.camera) ? .camera : .photoLibrary
        picker.allowsEditing = false
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator {
        Coordinator(onPhoto: onPhoto, onCancel: onCancel)
    }

    /// Receives the picker's result.
    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        private let onPhoto: (Data) -> Void
        private let onCancel: () -> Void

        init(onPhoto: @escaping (Data) -> Void, onCancel: @escaping () -> Void) {
            self.onPhoto = onPhoto
            self.onCancel = onCancel
        }

        func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            if let jpeg = CapturedJPEG.bytes(from: info) {
                onPhoto(jpeg)
            } else {
                onCancel()
            }
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            onCancel()
        }
    }
}

/// The picked photo as JPEG bytes, in memory only. A JPEG picked from the library is taken as it
/// is, EXIF included. The camera gives an image and its metadata, never its own encoded file, so
/// its photo is encoded here by ImageIO with the camera's metadata (EXIF: time taken, exposure,
/// lens; TIFF: make and model; orientation), which evidence keeps; UIKit's `jpegData` (no EXIF)
/// only when that fails.
enum CapturedJPEG {
    /// JPEG quality of an encoded photo: labels and markings stay legible.
    static let quality = 0.85

    static func bytes(from info: [UIImagePickerController.InfoKey: Any]) -> Data? {
        if let url = info[.imageURL] as? URL,
           UTType(filenameExtension: url.pathExtension)?.conforms(to: .jpeg) == true,
           let original = try? Data(contentsOf: url) {
            return original
        }
        guard let image = info[.originalImage] as? UIImage else { return nil }
        if let metadata = info[.mediaMetadata] as? [String: Any], let encoded = encode(image, metadata: metadata) {
            return encoded
        }
        return image.jpegData(compressionQuality: quality)
    }

    /// `image` as a JPEG carrying `metadata`, oriented as the image is shown.
    private static func encode(_ image: UIImage, metadata: [String: Any]) -> Data? {
        guard let cgImage = image.cgImage else { return nil }
        let output = NSMutableData()
        guard let destination = CGImageDestinationCreateWithData(output as CFMutableData, UTType.jpeg.identifier as CFString, 1, nil) else {
            return nil
        }
        var properties = metadata
        properties[kCGImagePropertyOrientation as String] = CGImagePropertyOrientation(image.imageOrientation).rawValue
        properties[kCGImageDestinationLossyCompressionQuality as String] = quality
        CGImageDestinationAddImage(destination, cgImage, properties as CFDictionary)
        guard CGImageDestinationFinalize(destination) else { return nil }
        return output as Data
    }
}

extension CGImagePropertyOrientation {
    /// The EXIF orientation of an image UIKit shows with `orientation` (its `cgImage` is unrotated).
    init(_ orientation: UIImage.Orientation) {
        switch orientation {
        case .up: self = .up
        case .upMirrored: self = .upMirrored
        case .down: self = .down
        case .downMirrored: self = .downMirrored
        case .left: self = .left
        case .leftMirrored: self = .leftMirrored
        case .right: self = .right
        case .rightMirrored: self = .rightMirrored
        @unknown default: self = .up
        }
    }
}

/// After the shutter: caption the photo, say which finding it shows, and attach it. The image is
/// already sealed in the core's photo inbox (`path`, from `keepCameraPhoto`); Attach records it
/// with `attachPhotoFile`. Later leaves it in the inbox, where the next start attaches it anyway
/// (evidence is never thrown away by a tap).
struct PhotoAttachView: View {
    @ObservedObject var model: InspectionEditorModel
    /// The inbox path the core sealed the photo at.
    let path: String
    /// The photo's bytes, in memory, for the preview.
    let jpeg: Data
    private let capturedAt = Date()

    @EnvironmentObject private var location: LocationProvider
    @Environment(\.dismiss) private var dismiss
    @State private var caption = ""
    @State private var findingId: String?
    @State private var point: GeoPoint?
    @State private var working = false

    var body: some View {
        NavigationStack {
            Form {
                if let image = UIImage(data: jpeg) {
                    Image(uiImage: image)
                        .resizable()
                        .scaledToFit()
                        .frame(maxHeight: 320)
                }
                FieldRow(label: "Caption", text: $caption)
                Picker("Shows", selection: $findingId) {
                    Text("The inspection").tag(String?.none)
                    ForEach(model.view?.inspection.findings ?? [], id: \.id) { finding in
                        Text(finding.identifiedSubstance ?? finding.declaredSubstance ?? finding.id)
                            .tag(String?.some(finding.id))
                    }
                }
                if let point {
                    ValueRow("Position", String(format: "%.5f, %.5f", point.lat, point.lon))
                }
            }
            .navigationTitle("Evidence photo")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Later") { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Attach") { Task { await attach() } }
                        .disabled(working)
                }
            }
            .task { point = await location.currentPoint() }
            .errorAlert($model.alert)
        }
        .interactiveDismissDisabled()
    }

    private func attach() async {
        working = true
        defer { working = false }
        let attached = await model.attachPhoto(
            path: path,
            findingId: findingId,
            caption: caption,
            capturedAt: capturedAt,
            latitude: point?.lat,
            longitude: point?.lon
        )
        if attached { dismiss() }
    }
}

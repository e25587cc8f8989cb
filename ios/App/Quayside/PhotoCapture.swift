import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit

/// The system camera (the photo library where there is no camera, as in the simulator).
struct CameraPicker: UIViewControllerRepresentable {
    let onImage: (UIImage) -> Void
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
        Coordinator(onImage: onImage, onCancel: onCancel)
    }

    /// Receives the picker's result.
    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        private let onImage: (UIImage) -> Void
        private let onCancel: () -> Void

        init(onImage: @escaping (UIImage) -> Void, onCancel: @escaping () -> Void) {
            self.onImage = onImage
            self.onCancel = onCancel
        }

        func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            if let image = info[.originalImage] as? UIImage {
                onImage(image)
            } else {
                onCancel()
            }
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            onCancel()
        }
    }
}

/// After the shutter: caption the photo, say which finding it shows, and attach it. The image is
/// already in the core's photo inbox (`path`, from `newPhotoFile`); Attach records it with
/// `attachPhotoFile`. Discard leaves it in the inbox, where the next start attaches it anyway
/// (evidence is never thrown away by a tap).
struct PhotoAttachView: View {
    @ObservedObject var model: InspectionEditorModel
    /// The inbox file the photo was written to.
    let path: String
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

import Foundation
import QuaysideCore

/// A camera photo waiting to be recorded in the store, with what the officer said about it.
public struct PendingPhoto: Codable, Equatable, Identifiable, Sendable {
    /// The photo's identity in the inbox (also its file name).
    public let id: UUID
    /// The inspection the photo belongs to.
    public let inspectionId: String
    /// The finding it shows, if any.
    public let findingId: String?
    /// The officer's caption, if any.
    public let caption: String?
    /// When the shutter was pressed.
    public let capturedAt: Date
    /// Where, if the position was known.
    public let latitude: Double?
    /// Where, if the position was known.
    public let longitude: Double?
    /// The image's MIME type.
    public let mime: String

    /// Creates the description of a photo just taken.
    public init(
        id: UUID = UUID(),
        inspectionId: String,
        findingId: String? = nil,
        caption: String? = nil,
        capturedAt: Date = Date(),
        latitude: Double? = nil,
        longitude: Double? = nil,
        mime: String = "image/jpeg"
    ) {
        self.id = id
        self.inspectionId = inspectionId
        self.findingId = findingId
        self.caption = caption
        self.capturedAt = capturedAt
        self.latitude = latitude
        self.longitude = longitude
        self.mime = mime
    }

    /// The metadata the core records with the photo.
    public var photoFields: PhotoFields {
        PhotoFields(
            mime: mime,
            capturedAt: Timestamp.string(capturedAt),
            lat: latitude,
            lon: longitude,
            caption: caption,
            findingId: findingId
        )
    }
}

/// Camera photos on their way into the store.
///
/// A photo is written to the inbox (`Application Support/Quayside/incoming`) before the core
/// records it with `addPhotoFile`, which copies it into the store by SHA-256 and fsyncs it; the
/// inbox copy is deleted only once the core has recorded it. If the app is killed in between,
/// ``InspectionStore/recordPendingPhotos()`` records it on the next start: evidence is never lost.
public final class PhotoInbox: @unchecked Sendable {
    /// The inbox folder.
    public let directory: URL
    private let fileManager = FileManager.default
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    /// An inbox in `directory` (created if missing).
    public init(directory: URL) {
        self.directory = directory
        encoder.dateEncodingStrategy = .iso8601
        decoder.dateDecodingStrategy = .iso8601
    }

    /// The image file of a pending photo.
    public func imageURL(for photo: PendingPhoto) -> URL {
        directory.appendingPathComponent("\(photo.id.uuidString).img")
    }

    private func metadataURL(for id: UUID) -> URL {
        directory.appendingPathComponent("\(id.uuidString).json")
    }

    /// Writes the image, then its description; a photo counts as pending once both exist.
    public func stage(_ image: Data, as photo: PendingPhoto) throws {
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        try image.write(to: imageURL(for: photo), options: [.atomic])
        try encoder.encode(photo).write(to: metadataURL(for: photo.id), options: [.atomic])
    }

    /// Every pending photo, oldest first. Images left without a description by a crash during
    /// ``stage(_:as:)`` are deleted (the officer had not been told the photo was kept).
    public func pending() -> [PendingPhoto] {
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory.path) else { return [] }
        var photos: [PendingPhoto] = []
        for name in names where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url),
                  let photo = try? decoder.decode(PendingPhoto.self, from: data)
            else { continue }
            if fileManager.fileExists(atPath: imageURL(for: photo).path) {
                photos.append(photo)
            } else {
                try? fileManager.removeItem(at: url)
            }
        }
        let described = Set(photos.map { "\($0.id.uuidString).img" })
        for name in names where name.hasSuffix(".img") && !described.contains(name) {
            try? fileManager.removeItem(at: directory.appendingPathComponent(name))
        }
        return photos.sorted { $0.capturedAt < $1.capturedAt }
    }

    /// Deletes a photo from the inbox (after the store recorded it, or refused it for good).
    public func remove(_ photo: PendingPhoto) {
        try? fileManager.removeItem(at: metadataURL(for: photo.id))
        try? fileManager.removeItem(at: imageURL(for: photo))
    }
}

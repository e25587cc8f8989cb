import Foundation
import QuaysideCore

/// Turns the core's messages (a key and arguments, `UserMessage`) and the shell's own texts into
/// what the officer reads, in the officer's language.
///
/// QuaysideKit never shows the core's English directly and never looks inside a message: it asks
/// the installed ``Localizer``. The app installs one backed by its string catalog
/// (`Localizable.xcstrings`, keys `msg_<id>`); tests use ``EnglishLocalizer`` (the core's own
/// English) or ``CatalogLocalizer`` over the same catalog file.
public protocol Localizer: Sendable {
    /// The text of a core message, its arguments filled in.
    func string(_ message: UserMessage) -> String
    /// The text of one of the shell's own strings: `key` in the catalog, `english` when missing.
    func text(_ key: String, english: String) -> String
}

extension Localizer {
    /// By default the shell's own strings are shown in English.
    public func text(_ key: String, english: String) -> String { english }
}

/// The core's English (`UserMessage.english()`), for tests and as the fallback.
public struct EnglishLocalizer: Localizer {
    /// The English localizer.
    public init() {}

    public func string(_ message: UserMessage) -> String { message.english() }
}

/// A localizer over format strings by key (`msg_<id>` → "Records %1$@ of %2$@"), as in a string
/// catalog. Missing keys fall back to the core's English.
public struct CatalogLocalizer: Localizer {
    /// Format strings by key.
    public let formats: [String: String]

    /// A localizer over `formats`.
    public init(formats: [String: String]) {
        self.formats = formats
    }

    /// The strings of `language` ("en", "id") in an Xcode string catalog (`.xcstrings` JSON).
    public init(xcstrings url: URL, language: String) throws {
        let data = try Data(contentsOf: url)
        self.init(formats: try Self.formats(inCatalog: data, language: language))
    }

    /// Every `stringUnit` value of `language` in an `.xcstrings` file, by key.
    public static func formats(inCatalog data: Data, language: String) throws -> [String: String] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let strings = root["strings"] as? [String: Any]
        else { return [:] }
        var formats: [String: String] = [:]
        for (key, entry) in strings {
            guard let entry = entry as? [String: Any],
                  let localizations = entry["localizations"] as? [String: Any],
                  let localization = localizations[language] as? [String: Any],
                  let unit = localization["stringUnit"] as? [String: Any],
                  let value = unit["value"] as? String
            else { continue }
            formats[key] = value
        }
        return formats
    }

    public func string(_ message: UserMessage) -> String {
        guard let format = formats[Localization.key(message.key)] else { return message.english() }
        return Localization.format(format, message.args)
    }

    public func text(_ key: String, english: String) -> String {
        formats[key] ?? english
    }
}

/// The installed localizer and helpers around it.
public enum Localization {
    private static let lock = NSLock()
    private static var installed: Localizer = EnglishLocalizer()

    /// The localizer QuaysideKit words everything with; the app installs its own at start.
    public static var localizer: Localizer {
        get { lock.lock(); defer { lock.unlock() }; return installed }
        set { lock.lock(); installed = newValue; lock.unlock() }
    }

    /// The catalog key of a core message: `msg_<id>`.
    public static func key(_ key: MessageKey) -> String { "msg_" + key.id() }

    /// `format` with positional placeholders (`%1$@`, `%2$@`…) filled with `args` in order.
    public static func format(_ format: String, _ args: [String]) -> String {
        String(format: format, locale: Locale.current, arguments: args.map { $0 as CVarArg })
    }

    /// A core message in the officer's language.
    public static func string(_ message: UserMessage) -> String { localizer.string(message) }

    /// One of the shell's own strings.
    public static func text(_ key: String, _ english: String) -> String { localizer.text(key, english: english) }
}

extension UserMessage {
    /// The message in the officer's language (through ``Localization/localizer``).
    public var localized: String { Localization.string(self) }
}

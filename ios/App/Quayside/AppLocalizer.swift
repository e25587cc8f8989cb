import Foundation
import QuaysideCore
import QuaysideKit

/// Words the core's messages and QuaysideKit's own strings from the app's string catalog
/// (`Localizable.xcstrings`): a core message `key` is the entry `msg_<key.id()>`, whose
/// placeholders `%1$@`, `%2$@`… take the message's arguments in order. A key missing from the
/// catalog falls back to the core's English.
struct AppLocalizer: Localizer {
    let bundle: Bundle

    init(bundle: Bundle = .main) {
        self.bundle = bundle
    }

    func string(_ message: UserMessage) -> String {
        let key = Localization.key(message.key)
        let format = bundle.localizedString(forKey: key, value: key, table: nil)
        guard format != key else { return message.english() }
        return String(format: format, locale: Locale.current, arguments: message.args.map { $0 as CVarArg })
    }

    func text(_ key: String, english: String) -> String {
        NSLocalizedString(key, tableName: nil, bundle: bundle, value: english, comment: "")
    }
}

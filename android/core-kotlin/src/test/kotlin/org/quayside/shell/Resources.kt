package org.quayside.shell

import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.quayside.core.UserMessage
import org.w3c.dom.Element

/**
 * The Android app's string resources (`android/app/src/main/res/values[-in]/strings.xml`), read
 * as Android reads them: backslash escapes undone, `%n$s` filled by `String.format`. The tests
 * render messages with the same files the phone uses.
 */
class XmlLocalizer(val strings: Map<String, String>) : Localizer {
    override fun text(m: UserMessage): String = shell("msg_" + m.key.id(), m.args)

    override fun shell(id: String, args: List<String>): String {
        val template = strings[id] ?: error("no string resource $id")
        return String.format(template, *args.toTypedArray())
    }

    /** Reading resource files. */
    companion object {
        /** The app's resource folder, from the repository root or from `android/core-kotlin` (Gradle). */
        val res: File = listOf("android/app/src/main/res", "../app/src/main/res", "app/src/main/res").map(::File).first { it.isDirectory }

        /** English (`values`). */
        val en: XmlLocalizer by lazy { load("values") }

        /** Bahasa Indonesia (`values-in`). */
        val id: XmlLocalizer by lazy { load("values-in") }

        /** The strings of [folder]. */
        fun load(folder: String): XmlLocalizer {
            val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(File(res, "$folder/strings.xml"))
            val nodes = doc.getElementsByTagName("string")
            val map = LinkedHashMap<String, String>()
            for (i in 0 until nodes.length) {
                val e = nodes.item(i) as Element
                map[e.getAttribute("name")] = unescape(e.textContent)
            }
            return XmlLocalizer(map)
        }

        private fun unescape(s: String): String = s.replace("\\'", "'").replace("\\\"", "\"").replace("\\n", "\n").replace("\\@", "@").replace("\\?", "?")
    }
}

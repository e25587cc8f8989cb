package org.quayside.shell

import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import org.quayside.core.FieldStore
import org.quayside.core.generateStoreKey

/** Helpers shared by the tests: temporary stores, a JPEG, and a real quayside-server. */
object TestSupport {
    /** A fresh temporary directory, deleted when the JVM exits. */
    fun tempDir(prefix: String): File = Files.createTempDirectory(prefix).toFile().also { dir ->
        Runtime.getRuntime().addShutdownHook(Thread { dir.deleteRecursively() })
    }

    /**
     * The key every test store is encrypted under (the app keeps its key wrapped by the Android
     * Keystore). Handed to the core as a copy, so that nothing zeroes it between tests.
     */
    val key: ByteArray = generateStoreKey()

    /** A new store for [user] at [station] in a temporary directory. */
    fun newStore(user: String = "ama", station: String = "GHTEM"): FieldStore = newStoreIn(newStoreDir(), user, station)

    /** A fresh directory for a store (to open it again later with [InspectionRepository.openExisting]). */
    fun newStoreDir(): File = File(tempDir("quayside-store-"), "store")

    /** A new store in [dir], encrypted under [key]. */
    fun newStoreIn(dir: File, user: String = "ama", station: String = "GHTEM"): FieldStore = InspectionRepository.create(dir, key.copyOf(), user, station)

    /** The store in [dir], opened with [key] as the app opens it at start. */
    fun openStoreIn(dir: File): FieldStore = InspectionRepository.openExisting(dir, key.copyOf()) ?: error("no store in $dir")

    /** The start of a JPEG file (SOI, APP0/JFIF marker) followed by [size] filler bytes: enough for the core's sniffing. */
    fun jpeg(size: Int = 2048, seed: Int = 1): ByteArray {
        val header = byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0xFF.toByte(), 0xE0.toByte(), 0x00, 0x10) + "JFIF".toByteArray() + byteArrayOf(0)
        return header + ByteArray(size) { ((it * 31 + seed) % 251).toByte() } + byteArrayOf(0xFF.toByte(), 0xD9.toByte())
    }

    /** A loopback port nobody listens on right now. */
    fun freePort(): Int = ServerSocket(0).use { it.localPort }
}

/**
 * A [StoreKeyKeeper] in memory (the app's wraps the key with the Android Keystore), counting what
 * is asked of it; [unreadable] makes [read] fail as an unwrappable key does.
 */
class MemoryKeeper : StoreKeyKeeper {
    /** The current key. */
    var kept: ByteArray? = null

    /** The pending key of a key change not yet settled. */
    var pending: ByteArray? = null

    /** [read] throws, as when the Keystore key that wraps the kept one is gone. */
    var unreadable = false

    /** How many times a current key was written. */
    var writes = 0

    /** Whether [forget] was called. */
    var forgotten = false

    override fun read(): ByteArray? {
        if (unreadable) throw IllegalStateException("the wrapping key is gone")
        return kept?.copyOf()
    }

    override fun write(key: ByteArray) {
        kept = key.copyOf()
        unreadable = false
        writes++
    }

    override fun forget() {
        kept = null
        pending = null
        unreadable = false
        forgotten = true
    }

    override fun readPending(): ByteArray? = pending?.copyOf()

    override fun writePending(key: ByteArray) {
        pending = key.copyOf()
    }

    override fun forgetPending() {
        pending = null
    }
}

/**
 * The real agency server binary (`QUAYSIDE_SERVER_BIN`, else `$CARGO_TARGET_DIR/debug/quayside-server`)
 * with a temporary data directory, administered through its own command line like an administrator would.
 */
class TestServer(val port: Int = TestSupport.freePort()) : AutoCloseable {
    private val binary: File = File(
        System.getenv("QUAYSIDE_SERVER_BIN")
            ?: ((System.getenv("CARGO_TARGET_DIR") ?: (System.getProperty("user.home") + "/.cache/quayside-target")) + "/debug/quayside-server"),
    )
    /** The server's data directory (database and photos). */
    val data: File = TestSupport.tempDir("quayside-server-")
    private val log = File(data.parentFile, data.name + ".log")
    private var process: Process? = null

    /** The base URL phones enrol with. */
    val url: String get() = "http://127.0.0.1:$port"

    init {
        check(binary.canExecute()) { "quayside-server not found at $binary (cargo build -p quayside-server)" }
    }

    /**
     * Runs `quayside-server --data DATA admin ARGS...` and returns what it printed. The server
     * refuses to administer data that does not exist (a mistyped `--data`), so the first call
     * before [start] runs the server once to create it, as an administrator would.
     */
    fun admin(vararg args: String): String {
        if (process == null && !File(data, DB_FILE).isFile) {
            start()
            stop()
        }
        val p = ProcessBuilder(listOf(binary.path, "--data", data.path, "admin") + args).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "admin ${args.joinToString(" ")} failed: $out" }
        return out
    }

    /** A one-time enrolment code for [user]'s phone. */
    fun enrolmentCode(user: String): String = admin("enroll-code", user).lines().map { it.trim() }.last { it.isNotEmpty() }

    /** Adds station [code] (a UN/LOCODE) in [country], as `admin station` does. */
    fun station(code: String, country: String, name: String = code): TestServer = apply {
        admin("station", code, "--country", country, "--name", name)
    }

    /** Adds [name] with [role] (`officer`, `supervisor`, `analyst`) at [station], as `admin user` does. */
    fun user(name: String, role: String, station: String): TestServer = apply {
        admin("user", name, "--role", role, "--station", station)
    }

    /**
     * A phone for [user]: a new store at [station] in a temporary directory, enrolled with this
     * (running) server through the repository, as the app's enrolment screen does.
     */
    fun enrolledPhone(user: String, station: String): InspectionRepository {
        val repo = InspectionRepository(TestSupport.newStore(user, station))
        try {
            val enrolment = kotlinx.coroutines.runBlocking { repo.enroll(url, enrolmentCode(user), "$user's phone") }
            check(enrolment.user == user) { "enrolled as ${enrolment.user}, not $user" }
        } catch (e: Exception) {
            repo.close()
            throw e
        }
        return repo
    }

    /** Starts the server and waits until `/healthz` answers. */
    fun start(): TestServer {
        check(process == null) { "already running" }
        process = ProcessBuilder(binary.path, "--data", data.path, "--listen", "127.0.0.1:$port")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (System.nanoTime() < deadline) {
            check(process!!.isAlive) { "quayside-server exited: ${log.readText()}" }
            if (healthy()) return this
            Thread.sleep(50)
        }
        error("quayside-server did not answer /healthz within 30 s: ${log.readText()}")
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    fun stop() {
        val p = process ?: return
        p.destroy()
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor()
        process = null
    }

    private fun healthy(): Boolean = try {
        val c = URI("$url/healthz").toURL().openConnection() as HttpURLConnection
        c.connectTimeout = 500
        c.readTimeout = 500
        try { c.responseCode == 200 } finally { c.disconnect() }
    } catch (e: java.io.IOException) {
        false
    }

    /** Stops the server. */
    override fun close() = stop()

    private companion object {
        /** The server's database in its data directory (`quayside_server::db::DB_FILE`). */
        const val DB_FILE = "server.sqlite3"
    }
}

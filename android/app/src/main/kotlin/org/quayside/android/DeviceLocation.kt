package org.quayside.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.LocationManager
import androidx.core.content.ContextCompat
import org.quayside.core.GeoPoint

/**
 * Where the phone is, for the inspection it starts: the freshest last-known fix of any provider,
 * only when the officer granted location permission; `null` otherwise (never asked in the middle
 * of recording; the editor asks once when it opens).
 */
object DeviceLocation {
    /** The permissions the editor asks for. */
    val PERMISSIONS = arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)

    /** The last known position, or `null` without permission or fix. */
    fun current(context: Context): GeoPoint? {
        val granted = PERMISSIONS.any { ContextCompat.checkSelfPermission(context, it) == PackageManager.PERMISSION_GRANTED }
        if (!granted) return null
        val lm = context.getSystemService(LocationManager::class.java) ?: return null
        val best = try {
            lm.getProviders(true).mapNotNull { lm.getLastKnownLocation(it) }.maxByOrNull { it.time }
        } catch (e: SecurityException) {
            null
        } ?: return null
        return GeoPoint(lat = best.latitude, lon = best.longitude, accuracyM = best.accuracy.toDouble())
    }
}

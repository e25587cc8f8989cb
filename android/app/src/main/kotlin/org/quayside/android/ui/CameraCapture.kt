package org.quayside.android.ui

import android.content.Context
import android.graphics.ImageFormat
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageCapture
import androidx.camera.core.ImageCaptureException
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.lifecycle.awaitInstance
import androidx.camera.view.PreviewView
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.compose.LocalLifecycleOwner
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.withContext

/** A photo just taken: the camera's JPEG as it gave it, and how far to turn it to show it upright. */
private class Shot(val bytes: ByteArray, val rotationDegrees: Int)

/**
 * The in-app camera, full screen: a live preview (CameraX `PreviewView`), a shutter and Cancel.
 * The photo is taken in memory (`ImageCapture.takePicture` with an `OnImageCapturedCallback`, never
 * to a file: CameraX would write a temporary one, and the system camera app writes a plain JPEG
 * and may keep a copy in its gallery), so nothing of it is ever on disk in the clear. [onCaptured]
 * gets the JPEG exactly as the camera gave it (its EXIF says how it is turned); the editor hands it
 * straight to the core, which keeps it sealed in the store's inbox before it is attached. While
 * that runs ([busy]) the photo is shown, turned upright by the capture's rotation for the eye only.
 */
@Composable
internal fun CameraCapture(busy: Boolean, onCaptured: (ByteArray) -> Unit, onCancel: () -> Unit) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val previewView = remember { PreviewView(context).apply { implementationMode = PreviewView.ImplementationMode.COMPATIBLE } }
    val imageCapture = remember {
        ImageCapture.Builder()
            .setCaptureMode(ImageCapture.CAPTURE_MODE_MAXIMIZE_QUALITY)
            .setFlashMode(ImageCapture.FLASH_MODE_AUTO)
            .build()
    }
    // A string resource id: the camera could not start, or a capture failed.
    var problem by remember { mutableStateOf<String?>(null) }
    var capturing by remember { mutableStateOf(false) }
    var shot by remember { mutableStateOf<Shot?>(null) }
    LaunchedEffect(lifecycleOwner) {
        if (!bindCamera(context, lifecycleOwner, previewView, imageCapture)) problem = "camera_unavailable"
    }
    val still by produceState<ImageBitmap?>(null, shot) {
        val s = shot ?: return@produceState
        value = withContext(Dispatchers.Default) { decodeThumbnail(s.bytes, 1600, s.rotationDegrees) }
    }
    val shoot = {
        capturing = true
        problem = null
        takePhoto(context, imageCapture) { taken ->
            capturing = false
            if (taken == null) {
                problem = "camera_capture_failed"
            } else {
                shot = taken
                onCaptured(taken.bytes)
            }
        }
    }
    Box(Modifier.fillMaxSize().background(Color.Black)) {
        AndroidView(factory = { previewView }, modifier = Modifier.fillMaxSize())
        still?.let { Image(it, contentDescription = str("photo_evidence"), modifier = Modifier.fillMaxSize().background(Color.Black), contentScale = ContentScale.Fit) }
        if (capturing || busy) CircularProgressIndicator(Modifier.align(Alignment.Center))
        problem?.let {
            Text(str(it), color = Color.White, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.align(Alignment.Center).padding(24.dp))
        }
        Row(
            Modifier.align(Alignment.BottomCenter).fillMaxWidth().safeDrawingPadding().padding(24.dp),
            horizontalArrangement = Arrangement.SpaceBetween,
            verticalAlignment = Alignment.CenterVertically,
        ) {
            TextButton(onClick = onCancel, enabled = !busy) { Text(str("action_cancel"), color = Color.White) }
            Button(onClick = shoot, enabled = !capturing && !busy && shot == null && problem != "camera_unavailable") {
                Text(str("action_take_photo"))
            }
        }
    }
}

/**
 * Binds the preview and [imageCapture] to the back camera (the front one on a phone without one)
 * for as long as the calling effect runs, then unbinds them. Returns `false` at once when there is
 * no camera or it cannot be opened; otherwise returns only when the effect is cancelled.
 */
private suspend fun bindCamera(context: Context, owner: LifecycleOwner, previewView: PreviewView, imageCapture: ImageCapture): Boolean {
    val provider = runCatching { ProcessCameraProvider.awaitInstance(context) }.getOrNull() ?: return false
    val selector = listOf(CameraSelector.DEFAULT_BACK_CAMERA, CameraSelector.DEFAULT_FRONT_CAMERA)
        .firstOrNull { runCatching { provider.hasCamera(it) }.getOrDefault(false) } ?: return false
    val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
    if (runCatching { provider.bindToLifecycle(owner, selector, preview, imageCapture) }.isFailure) return false
    return try {
        awaitCancellation()
    } finally {
        provider.unbind(preview, imageCapture)
    }
}

/** Takes one photo in memory and gives [done] the camera's JPEG bytes, or `null` when the capture failed. */
private fun takePhoto(context: Context, imageCapture: ImageCapture, done: (Shot?) -> Unit) {
    imageCapture.takePicture(
        ContextCompat.getMainExecutor(context),
        object : ImageCapture.OnImageCapturedCallback() {
            override fun onCaptureSuccess(image: ImageProxy) {
                val shot = image.use { taken -> jpegOf(taken)?.let { Shot(it, taken.imageInfo.rotationDegrees) } }
                done(shot)
            }

            override fun onError(exception: ImageCaptureException) = done(null)
        },
    )
}

/** The JPEG in [image]'s one plane, byte for byte as the camera wrote it (EXIF included); `null` for another format. */
private fun jpegOf(image: ImageProxy): ByteArray? {
    if (image.format != ImageFormat.JPEG) return null
    val buffer = image.planes[0].buffer
    buffer.rewind()
    return ByteArray(buffer.remaining()).also { buffer.get(it) }
}

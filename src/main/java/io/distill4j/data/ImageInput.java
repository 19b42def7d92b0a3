package io.distill4j.data;

import io.distill4j.util.HeapArrays;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Single image files as model input, read the way the dataset readers read them: checked for truncation first
 * (decoders accept a truncated JPEG silently), RGB channel order, pixel values 0–255 as float32, shape
 * {@code [1, C, H, W]}. Errors are {@link DatasetException}s naming the file.
 */
public final class ImageInput {

    private ImageInput() {
    }

    /** The image at its own size, as the segmentation readers cut their patches from it; 1 channel is grey (BT.601). */
    public static INDArray atNativeScale(Path file, int channels) {
        BufferedImage image = ImageFiles.read(file);
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = ImageFiles.rgb(image);
        int plane = width * height;
        float[] values = new float[channels * plane];
        for (int i = 0; i < plane; i++) {
            int r = rgb[i] >> 16 & 0xFF;
            int g = rgb[i] >> 8 & 0xFF;
            int b = rgb[i] & 0xFF;
            if (channels == 1) {
                values[i] = (299 * r + 587 * g + 114 * b) / 1000f;
            } else {
                values[i] = r;
                values[plane + i] = g;
                values[2 * plane + i] = b;
            }
        }
        return HeapArrays.floats(values, 1, channels, height, width);
    }

    /** The image resized to {@code height × width}, as the class-folder reader resizes it (OpenCV, then BGR → RGB). */
    public static INDArray resized(Path file, int height, int width, int channels) {
        ImageFiles.checkComplete(file);
        INDArray features;
        try {
            features = new NativeImageLoader(height, width, channels).asMatrix(file.toFile());
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new DatasetException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
        features = features.castTo(DataType.FLOAT);
        return channels == 3 ? features.get(NDArrayIndex.all(), NDArrayIndex.indices(2, 1, 0), NDArrayIndex.all(),
                NDArrayIndex.all()).dup('c') : features;
    }

    /** Whether a file name has an image extension the readers take. */
    public static boolean isImageName(Path file) {
        return ImageFiles.EXTENSIONS.contains(ImageFiles.extension(file));
    }
}

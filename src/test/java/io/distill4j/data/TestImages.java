package io.distill4j.data;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntBinaryOperator;

/** Writes the small JPEG/PNG files the data tests build their miniature datasets from. */
final class TestImages {

    private TestImages() {
    }

    /** An RGB image whose pixel (x, y) is {@code colour.applyAsInt(x, y)} ({@code 0xRRGGBB}). */
    static BufferedImage rgb(int width, int height, IntBinaryOperator colour) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, colour.applyAsInt(x, y));
            }
        }
        return image;
    }

    static Path png(Path file, BufferedImage image) {
        write(file, image, "png");
        return file;
    }

    /** A JPEG at maximum quality, so colours survive well enough for the tests' tolerances. */
    static Path jpg(Path file, BufferedImage image) {
        try {
            Files.createDirectories(file.getParent());
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1.0f);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            writer.dispose();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, BufferedImage image, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts the file to its first {@code keep} fraction of bytes. */
    static void truncate(Path file, double keep) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, (int) (bytes.length * keep)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void garbage(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "this is not an image at all");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

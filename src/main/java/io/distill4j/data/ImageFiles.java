package io.distill4j.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finding, checking and decoding image files, with errors that name the file. Decoders (ImageIO, OpenCV) accept a
 * truncated JPEG or PNG and return a partly grey image with at most a warning, so files are also checked for their
 * end marker before anything reads them.
 */
final class ImageFiles {

    /**
     * File name extensions taken for images: formats both ImageIO and OpenCV decode (OpenCV has no GIF decoder, and
     * DataVec's fallback for it, Leptonica, is not on the class path).
     */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff");

    private ImageFiles() {
    }

    static boolean isImage(Path file) {
        return Files.isRegularFile(file) && EXTENSIONS.contains(extension(file));
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The file name without its extension: how images and masks are paired. */
    static String baseName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Image files directly in a folder, sorted by name. */
    static List<Path> list(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(ImageFiles::isImage).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new DatasetException("Cannot list folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Sub-folders of a folder, sorted by name. */
    static List<Path> subfolders(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new DatasetException("Cannot list folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that the file is a known image format by its leading bytes and, for JPEG and PNG, that it is complete.
     *
     * @throws DatasetException naming the file
     */
    static void checkComplete(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            byte[] head = new byte[(int) Math.min(12, length)];
            in.readFully(head);
            int tailLength = (int) Math.min(1024, length);
            byte[] tail = new byte[tailLength];
            in.seek(length - tailLength);
            in.readFully(tail);
            if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
                // FF D9 (end of image) cannot occur inside entropy-coded data, where FF is always stuffed.
                if (!contains(tail, new byte[]{(byte) 0xFF, (byte) 0xD9})) {
                    throw new DatasetException("Image " + file + " is truncated: the JPEG has no end-of-image marker");
                }
            } else if (startsWith(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
                if (!contains(tail, new byte[]{'I', 'E', 'N', 'D'})) {
                    throw new DatasetException("Image " + file + " is truncated: the PNG has no IEND chunk");
                }
            } else if (!(startsWith(head, 'B', 'M') || startsWith(head, 'I', 'I', 0x2A, 0)
                    || startsWith(head, 'M', 'M', 0, 0x2A))) {
                throw new DatasetException("Cannot read image " + file + ": not a JPEG, PNG, BMP or TIFF file"
                        + (length == 0 ? " (it is empty)" : ""));
            }
        } catch (IOException e) {
            throw new DatasetException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes an image with ImageIO after {@link #checkComplete}.
     *
     * @throws DatasetException naming the file when it cannot be decoded
     */
    static BufferedImage read(Path file) {
        checkComplete(file);
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new DatasetException("Cannot read image " + file + ": no decoder for this file");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException de) {
                throw de;
            }
            throw new DatasetException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** The image's pixels as {@code 0xRRGGBB}, row after row (grey and palette images are expanded). */
    static int[] rgb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != (prefix[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}

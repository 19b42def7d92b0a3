package io.distill4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of (Fashion-)MNIST, gzipped as the Debian package ships them or plain.
 *
 * <p>DL4J's {@code MnistImageFile}/{@code MnistLabelFile} read only uncompressed files through
 * {@code RandomAccessFile}, so they cannot read the Debian package's {@code .gz} files in place.
 */
final class IdxFiles {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** {@code count} images of {@code rows × cols} 8-bit pixels, image after image. */
    record Images(int count, int rows, int cols, byte[] pixels) {
        byte[] image(int i) {
            byte[] image = new byte[rows * cols];
            System.arraycopy(pixels, i * rows * cols, image, 0, rows * cols);
            return image;
        }
    }

    private IdxFiles() {
    }

    /**
     * The file {@code name.gz} or {@code name} in the folder.
     *
     * @throws DatasetException naming the path looked for when neither exists
     */
    static Path locate(Path folder, String name) {
        Path gz = folder.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = folder.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DatasetException("IDX file not found: " + gz + " (nor " + plain + "); install the Debian package "
                + "dataset-fashion-mnist or set data.path to the folder holding the IDX files");
    }

    static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC, "images");
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE) {
                throw new DatasetException("IDX file " + file + ": implausible header (" + count + " images of "
                        + rows + "x" + cols + ")");
            }
            byte[] pixels = new byte[count * rows * cols];
            in.readFully(pixels);
            return new Images(count, rows, cols, pixels);
        } catch (EOFException e) {
            throw new DatasetException("IDX file " + file + " is truncated: it ends before the data its header "
                    + "announces", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC, "labels");
            int count = in.readInt();
            if (count < 0) {
                throw new DatasetException("IDX file " + file + ": implausible header (" + count + " labels)");
            }
            byte[] labels = new byte[count];
            in.readFully(labels);
            return labels;
        } catch (EOFException e) {
            throw new DatasetException("IDX file " + file + " is truncated: it ends before the data its header "
                    + "announces", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkMagic(Path file, int magic, int expected, String what) {
        if (magic != expected) {
            throw new DatasetException(String.format("IDX file %s is not an IDX %s file (magic 0x%08X, expected "
                    + "0x%08X)", file, what, magic, expected));
        }
    }

    /** Opens plain or gzip content, told apart by the gzip magic bytes rather than by the file name. */
    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b1 = raw.read();
        int b2 = raw.read();
        raw.reset();
        boolean gzip = b1 == 0x1F && b2 == 0x8B;
        return new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
    }
}

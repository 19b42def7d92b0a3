package io.distill4j.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * What {@code data inspect} finds in a dataset: sizes, class counts per split (pixels for segmentation, images for
 * classification) and sample mosaics written as PNG (image | coloured mask, or labelled images).
 *
 * @param counts  per split (in {@link Split} order), per class
 * @param mosaics the PNG files written, one per non-empty split
 */
public record DatasetInspection(String name, Task task, int channels, int height, int width, List<String> classNames,
                                OptionalInt ignoreIndex, String fingerprint, int[] sizes, long[][] counts,
                                List<Path> mosaics) {

    /**
     * Reads every split once (in order, without augmentation) and writes a mosaic of the first {@code samples}
     * samples of each split into {@code outDir}.
     */
    public static DatasetInspection of(Dataset dataset, Path outDir, int samples) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create output folder " + outDir, e);
        }
        int numClasses = dataset.numClasses();
        int[] sizes = new int[Split.values().length];
        long[][] counts = new long[Split.values().length][numClasses];
        List<Path> mosaics = new ArrayList<>();
        for (Split split : Split.values()) {
            sizes[split.ordinal()] = dataset.size(split);
            DataSetIterator iterator = dataset.iterator(split, 64, false);
            List<DataSet> firstSamples = new ArrayList<>();
            int kept = 0;
            while (iterator.hasNext()) {
                DataSet batch = iterator.next();
                for (float id : batch.getLabels().data().asFloat()) {
                    counts[split.ordinal()][(int) id]++;
                }
                if (kept < samples) {
                    firstSamples.add(batch);
                    kept += batch.numExamples();
                }
            }
            if (kept > 0) {
                Path file = outDir.resolve("samples-" + split.name().toLowerCase(Locale.ROOT) + ".png");
                writeMosaic(dataset, firstSamples, samples, file);
                mosaics.add(file);
            }
        }
        return new DatasetInspection(dataset.name(), dataset.task(), dataset.channels(), dataset.height(),
                dataset.width(), dataset.classNames(), dataset.ignoreIndex(), dataset.fingerprint(), sizes, counts,
                List.copyOf(mosaics));
    }

    /** A plain-text report: one line per split, then a table of class counts and frequencies. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append(name).append('\n');
        out.append(String.format(Locale.ROOT, "task %s, samples %dx%dx%d (CxHxW), %d classes%s%n",
                task.name().toLowerCase(Locale.ROOT), channels, height, width, classNames.size(),
                ignoreIndex.isPresent() ? ", ignore index " + ignoreIndex.getAsInt()
                        + " (" + classNames.get(ignoreIndex.getAsInt()) + ")" : ""));
        out.append("fingerprint ").append(fingerprint).append('\n');
        for (Split split : Split.values()) {
            out.append(String.format(Locale.ROOT, "%-10s %7d samples%n", split.name().toLowerCase(Locale.ROOT),
                    sizes[split.ordinal()]));
        }
        String unit = task == Task.SEGMENTATION ? "pixels" : "images";
        int nameWidth = Math.max(5, classNames.stream().mapToInt(String::length).max().orElse(5));
        out.append(String.format(Locale.ROOT, "%nclass counts (%s) and frequencies%n", unit));
        out.append(String.format(Locale.ROOT, "%3s  %-" + nameWidth + "s", "id", "class"));
        for (Split split : Split.values()) {
            out.append(String.format(Locale.ROOT, " %20s", split.name().toLowerCase(Locale.ROOT)));
        }
        out.append('\n');
        for (int c = 0; c < classNames.size(); c++) {
            out.append(String.format(Locale.ROOT, "%3d  %-" + nameWidth + "s", c, classNames.get(c)));
            for (Split split : Split.values()) {
                long total = 0;
                for (long count : counts[split.ordinal()]) {
                    total += count;
                }
                long count = counts[split.ordinal()][c];
                out.append(String.format(Locale.ROOT, " %12d (%5.1f%%)", count,
                        total == 0 ? 0.0 : 100.0 * count / total));
            }
            out.append('\n');
        }
        if (!mosaics.isEmpty()) {
            out.append('\n');
            for (Path mosaic : mosaics) {
                out.append("wrote ").append(mosaic).append('\n');
            }
        }
        return out.toString();
    }

    private static void writeMosaic(Dataset dataset, List<DataSet> batches, int samples, Path file) {
        int h = dataset.height();
        int w = dataset.width();
        int zoom = Math.max(1, 96 / Math.max(h, w));
        int cellH = h * zoom;
        int cellW = w * zoom;
        int gap = 4;
        List<BufferedImage> images = new ArrayList<>();
        List<INDArray> labels = new ArrayList<>();
        for (DataSet batch : batches) {
            for (int i = 0; i < batch.numExamples() && images.size() < samples; i++) {
                images.add(toImage(batch.getFeatures().slice(i)));
                labels.add(batch.getLabels().slice(i));
            }
        }
        BufferedImage mosaic;
        if (dataset.task() == Task.SEGMENTATION) {
            // One row per sample: image | coloured mask.
            mosaic = new BufferedImage(2 * cellW + 3 * gap, images.size() * (cellH + gap) + gap,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = canvas(mosaic);
            for (int i = 0; i < images.size(); i++) {
                int top = gap + i * (cellH + gap);
                g.drawImage(images.get(i), gap, top, cellW, cellH, null);
                g.drawImage(colouredMask(labels.get(i), h, w, dataset.classColors()), 2 * gap + cellW, top, cellW,
                        cellH, null);
            }
            g.dispose();
        } else {
            // A grid of images, each over a caption in its class colour.
            int columns = Math.min(8, images.size());
            int rows = (images.size() + columns - 1) / columns;
            int captionH = 14;
            int cellWidth = Math.max(cellW, 72);
            mosaic = new BufferedImage(columns * (cellWidth + gap) + gap, rows * (cellH + captionH + gap) + gap,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = canvas(mosaic);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            for (int i = 0; i < images.size(); i++) {
                int left = gap + (i % columns) * (cellWidth + gap);
                int top = gap + (i / columns) * (cellH + captionH + gap);
                g.drawImage(images.get(i), left, top, cellW, cellH, null);
                int classId = labels.get(i).getInt(0);
                g.setColor(dataset.classColors().get(classId));
                g.fillRect(left, top + cellH, cellWidth, captionH);
                Color colour = dataset.classColors().get(classId);
                g.setColor(colour.getRed() * 0.3 + colour.getGreen() * 0.59 + colour.getBlue() * 0.11 > 128
                        ? Color.BLACK : Color.WHITE);
                g.drawString(dataset.classNames().get(classId), left + 2, top + cellH + captionH - 3);
            }
            g.dispose();
        }
        try {
            ImageIO.write(mosaic, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        return g;
    }

    /** A {@code [C, H, W]} sample scaled to [0, 1] as an RGB image (one channel is drawn grey). */
    static BufferedImage toImage(INDArray sample) {
        int channels = (int) sample.size(0);
        int h = (int) sample.size(1);
        int w = (int) sample.size(2);
        float[] values = sample.dup('c').data().asFloat();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = level(values[i]);
                int g = channels >= 3 ? level(values[h * w + i]) : r;
                int b = channels >= 3 ? level(values[2 * h * w + i]) : r;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** A {@code [1, H, W]} mask of class ids in the classes' colours. */
    static BufferedImage colouredMask(INDArray mask, int h, int w, List<Color> colors) {
        float[] ids = mask.dup('c').data().asFloat();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h * w; i++) {
            image.setRGB(i % w, i / w, colors.get((int) ids[i]).getRGB());
        }
        return image;
    }

    private static int level(float value) {
        return Math.max(0, Math.min(255, Math.round(value * 255)));
    }
}

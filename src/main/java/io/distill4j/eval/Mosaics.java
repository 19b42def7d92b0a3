package io.distill4j.eval;

import io.distill4j.util.AtomicFiles;
import io.distill4j.model.ModelFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prediction pictures as PNG: coloured class masks, segmentation mosaics with one row per sample (image | ground
 * truth | teacher | student, or any list of masks), classification mosaics (image with its true and predicted
 * classes), and the choice of the best and worst samples to show.
 *
 * <p>Images are float {@code [C, H, W]} (or {@code [1, C, H, W]}) in [0, 1] with 1 (grey) or 3 (RGB) channels;
 * values outside are clamped. Masks are class ids {@code [H, W]} (or {@code [1, H, W]}). Everything is drawn at an
 * integer {@code scale} with nearest-neighbour pixels so small images stay legible. Layout, for predictable sizes:
 * <ul>
 *   <li>segmentation: width {@code P + (1 + masks)·(W·scale + P) + L}, height
 *       {@code max(P + T + rows·(T + H·scale + P), P + (classes + 1)·T + P)}, where {@code L} is {@link #LEGEND_WIDTH};</li>
 *   <li>classification: width {@code P + W·scale + P + X + P}, height {@code P + rows·(max(H·scale, (2 + models)·T) + P)};</li>
 * </ul>
 * with {@code P} = {@link #PADDING}, {@code T} = {@link #TEXT_HEIGHT}, {@code X} = {@link #TEXT_WIDTH}.
 */
public final class Mosaics {

    public static final int PADDING = 4;
    public static final int TEXT_HEIGHT = 16;
    /** Wide enough for a caption with the sample's file, e.g. "best 1, student p(true) 0.912: forest/12345.jpg". */
    public static final int TEXT_WIDTH = 400;
    public static final int LEGEND_WIDTH = 140;
    /** Tiles are scaled up to at least this many pixels on their longer side by {@link #defaultScale}. */
    public static final int MIN_TILE = 96;

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color TEXT = Color.BLACK;
    private static final Color RIGHT = new Color(0x1a7f37);
    private static final Color WRONG = new Color(0xc62828);

    static {
        Headless.ensure();
    }

    private Mosaics() {
    }

    /**
     * One mosaic row: a caption (e.g. "worst 1: IoU 0.12"), the image and its masks, one per mask column.
     */
    public record SegmentationRow(String caption, INDArray image, List<INDArray> masks) {
        public SegmentationRow {
            masks = List.copyOf(masks);
        }

        /**
         * Sample {@code i} of a batch, copied out of it: the image, the ground truth (channel 0 of the labels) and each
         * model's arg-max mask. Features must be in [0, 1]: revert a normalizer first if the iterator has one.
         *
         * @param probabilities each model's {@code [N, C, H, W]} output for the batch (e.g. teacher, student)
         */
        public static SegmentationRow fromBatch(String caption, INDArray features, INDArray labels,
                                                List<INDArray> probabilities, int i) {
            List<INDArray> masks = new ArrayList<>();
            masks.add(Metrics.classIds(labels).get(NDArrayIndex.point(i)).dup());
            for (INDArray p : probabilities) {
                masks.add(Metrics.predictedClassIds(p.get(NDArrayIndex.point(i), NDArrayIndex.all(),
                        NDArrayIndex.all(), NDArrayIndex.all()).reshape(1, p.size(1), p.size(2), p.size(3)))
                        .reshape(p.size(2), p.size(3)));
            }
            return new SegmentationRow(caption, features.get(NDArrayIndex.point(i)).dup(), masks);
        }

        public SegmentationRow withCaption(String newCaption) {
            return new SegmentationRow(newCaption, image, masks);
        }
    }

    /**
     * One classification row: a caption, the image, its true class and each model's class probabilities {@code [C]}.
     */
    public record ClassificationRow(String caption, INDArray image, int trueClass, List<INDArray> probabilities) {
        public ClassificationRow {
            probabilities = List.copyOf(probabilities);
        }

        /**
         * Sample {@code i} of a batch, copied out of it: the image, its class id (channel 0 of the labels) and each
         * model's probabilities. Features must be in [0, 1]: revert a normalizer first if the iterator has one.
         *
         * @param probabilities each model's {@code [N, C]} output for the batch (e.g. teacher, student)
         */
        public static ClassificationRow fromBatch(String caption, INDArray features, INDArray labels,
                                                  List<INDArray> probabilities, int i) {
            int trueClass = Math.round(Metrics.classIds(labels).getFloat(i));
            List<INDArray> rows = probabilities.stream().map(p -> p.getRow(i).dup()).toList();
            return new ClassificationRow(caption, features.get(NDArrayIndex.point(i)).dup(), trueClass, rows);
        }

        public ClassificationRow withCaption(String newCaption) {
            return new ClassificationRow(newCaption, image, trueClass, probabilities);
        }
    }

    /**
     * Captions picked rows by rank and score, e.g. "worst 3 (sample 41): mean IoU 0.132", for a mosaic of the
     * {@link BestAndWorst#best()} or {@link BestAndWorst#worst()} samples.
     *
     * @param label     "best" or "worst"
     * @param scoreName what the score is, e.g. "mean IoU" or "p(true class)"
     */
    public static List<SegmentationRow> captionedSegmentation(List<BestAndWorst.Scored<SegmentationRow>> picks,
                                                              String label, String scoreName) {
        List<SegmentationRow> rows = new ArrayList<>();
        for (int r = 0; r < picks.size(); r++) {
            rows.add(picks.get(r).sample().withCaption(caption(picks.get(r), r, label, scoreName)));
        }
        return rows;
    }

    /** {@link #captionedSegmentation} for classification rows. */
    public static List<ClassificationRow> captionedClassification(List<BestAndWorst.Scored<ClassificationRow>> picks,
                                                                  String label, String scoreName) {
        List<ClassificationRow> rows = new ArrayList<>();
        for (int r = 0; r < picks.size(); r++) {
            rows.add(picks.get(r).sample().withCaption(caption(picks.get(r), r, label, scoreName)));
        }
        return rows;
    }

    private static String caption(BestAndWorst.Scored<?> pick, int rank, String label, String scoreName) {
        return String.format(Locale.ROOT, "%s %d (sample %d): %s %.3f", label, rank + 1, pick.index(), scoreName,
                pick.score());
    }

    /** Indices of the chosen samples: best highest score first, worst lowest score first. */
    public record Selection(int[] best, int[] worst) {
    }

    /**
     * The {@code k} best and {@code k} worst samples by score (higher is better, NaN skipped), disjoint; see
     * {@link BestAndWorst} for the streaming version used over a whole validation set.
     */
    public static Selection selectBestAndWorst(int k, double[] scores) {
        BestAndWorst<Void> selection = new BestAndWorst<>(k);
        for (double score : scores) {
            selection.offer(score, () -> null);
        }
        return new Selection(selection.best().stream().mapToInt(s -> (int) s.index()).toArray(),
                selection.worst().stream().mapToInt(s -> (int) s.index()).toArray());
    }

    /** The smallest integer scale that draws an image at least {@link #MIN_TILE} pixels on its longer side. */
    public static int defaultScale(long height, long width) {
        long longer = Math.max(1, Math.max(height, width));
        return (int) Math.max(1, (MIN_TILE + longer - 1) / longer);
    }

    /** Writes a class-id mask in the palette's colours at its own size; ids without a colour are {@link ClassPalette#IGNORED}. */
    public static void writeMask(Path png, INDArray classIdsHW, List<Color> palette) {
        write(mask(classIdsHW, new ClassPalette(names(palette.size()), palette, null), 1), png);
    }

    /** A class-id mask drawn in the palette's colours, {@link ClassPalette#IGNORED} for the ignore index. */
    public static BufferedImage mask(INDArray classIds, ClassPalette palette, int scale) {
        INDArray ids = squeezeLeading(classIds, 2, "mask");
        int h = (int) ids.size(0);
        int w = (int) ids.size(1);
        float[] values = ids.castTo(DataType.FLOAT).dup('c').data().asFloat();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, palette.color(Math.round(values[y * w + x])).getRGB());
            }
        }
        return scaled(image, scale);
    }

    /** A {@code [C, H, W]} image in [0, 1] (1 or 3 channels) as an RGB picture. */
    public static BufferedImage image(INDArray chw, int scale) {
        INDArray image = squeezeLeading(chw, 3, "image");
        int channels = (int) image.size(0);
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, got shape "
                    + Arrays.toString(chw.shape()));
        }
        int h = (int) image.size(1);
        int w = (int) image.size(2);
        float[] v = image.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = h * w;
        BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = byteOf(v[i]);
                int g = channels == 3 ? byteOf(v[plane + i]) : r;
                int b = channels == 3 ? byteOf(v[2 * plane + i]) : r;
                picture.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return scaled(picture, scale);
    }

    /** Writes {@link #segmentation}. */
    public static void writeSegmentation(Path png, List<String> maskTitles, List<SegmentationRow> rows,
                                         ClassPalette palette, int scale) {
        write(segmentation(maskTitles, rows, palette, scale), png);
    }

    /**
     * Rows of image | mask | mask ..., titled "image" and {@code maskTitles} (e.g. ground truth, teacher, student),
     * each row under its caption, with a colour legend of the classes on the right.
     */
    public static BufferedImage segmentation(List<String> maskTitles, List<SegmentationRow> rows, ClassPalette palette,
                                             int scale) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a mosaic needs at least one row");
        }
        long[] size = imageSize(rows.get(0).image());
        int tileW = (int) size[1] * scale;
        int tileH = (int) size[0] * scale;
        int columns = 1 + maskTitles.size();
        int width = PADDING + columns * (tileW + PADDING) + LEGEND_WIDTH;
        int legendBottom = PADDING + (palette.classNames().size() + 1) * TEXT_HEIGHT + PADDING;
        int height = Math.max(PADDING + TEXT_HEIGHT + rows.size() * (TEXT_HEIGHT + tileH + PADDING), legendBottom);
        BufferedImage mosaic = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(mosaic);
        FontMetrics metrics = g.getFontMetrics();
        for (int c = 0; c < columns; c++) {
            String title = c == 0 ? "image" : maskTitles.get(c - 1);
            text(g, metrics, title, PADDING + c * (tileW + PADDING), PADDING, tileW, TEXT);
        }
        int y = PADDING + TEXT_HEIGHT;
        for (SegmentationRow row : rows) {
            if (row.masks().size() != maskTitles.size()) {
                throw new IllegalArgumentException("row \"" + row.caption() + "\" has " + row.masks().size()
                        + " masks for " + maskTitles.size() + " mask columns");
            }
            if (!Arrays.equals(imageSize(row.image()), size)) {
                throw new IllegalArgumentException("row \"" + row.caption() + "\" image is "
                        + Arrays.toString(imageSize(row.image())) + ", the first row's is " + Arrays.toString(size));
            }
            // below the legend, a caption (which ends with the sample's file) may run across the legend's column
            int captionWidth = y >= legendBottom ? width - 2 * PADDING : columns * (tileW + PADDING);
            text(g, metrics, row.caption(), PADDING, y, captionWidth, TEXT);
            y += TEXT_HEIGHT;
            g.drawImage(image(row.image(), scale), PADDING, y, null);
            for (int m = 0; m < row.masks().size(); m++) {
                BufferedImage mask = mask(row.masks().get(m), palette, scale);
                if (mask.getWidth() != tileW || mask.getHeight() != tileH) {
                    throw new IllegalArgumentException("row \"" + row.caption() + "\" mask " + maskTitles.get(m)
                            + " is " + mask.getHeight() / scale + "x" + mask.getWidth() / scale + ", the image "
                            + size[0] + "x" + size[1]);
                }
                g.drawImage(mask, PADDING + (m + 1) * (tileW + PADDING), y, null);
            }
            y += tileH + PADDING;
        }
        legend(g, metrics, palette, PADDING + columns * (tileW + PADDING));
        g.dispose();
        return mosaic;
    }

    /** Writes {@link #classification}. */
    public static void writeClassification(Path png, List<String> modelNames, List<ClassificationRow> rows,
                                           List<String> classNames, int scale) {
        write(classification(modelNames, rows, classNames, scale), png);
    }

    /**
     * One row per sample: the image, then its caption, its true class and each model's predicted class with that
     * class's probability, green when right and red when wrong.
     */
    public static BufferedImage classification(List<String> modelNames, List<ClassificationRow> rows,
                                               List<String> classNames, int scale) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a mosaic needs at least one row");
        }
        long[] size = imageSize(rows.get(0).image());
        int tileW = (int) size[1] * scale;
        int tileH = (int) size[0] * scale;
        int rowH = Math.max(tileH, (2 + modelNames.size()) * TEXT_HEIGHT);
        int width = PADDING + tileW + PADDING + TEXT_WIDTH + PADDING;
        int height = PADDING + rows.size() * (rowH + PADDING);
        BufferedImage mosaic = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(mosaic);
        FontMetrics metrics = g.getFontMetrics();
        int textX = PADDING + tileW + PADDING;
        int y = PADDING;
        for (ClassificationRow row : rows) {
            if (row.probabilities().size() != modelNames.size()) {
                throw new IllegalArgumentException("row \"" + row.caption() + "\" has " + row.probabilities().size()
                        + " predictions for " + modelNames.size() + " models");
            }
            if (!Arrays.equals(imageSize(row.image()), size)) {
                throw new IllegalArgumentException("row \"" + row.caption() + "\" image is "
                        + Arrays.toString(imageSize(row.image())) + ", the first row's is " + Arrays.toString(size));
            }
            g.drawImage(image(row.image(), scale), PADDING, y, null);
            text(g, metrics, row.caption(), textX, y, TEXT_WIDTH, TEXT);
            text(g, metrics, "true: " + className(classNames, row.trueClass()), textX, y + TEXT_HEIGHT, TEXT_WIDTH,
                    TEXT);
            for (int m = 0; m < modelNames.size(); m++) {
                float[] p = row.probabilities().get(m).castTo(DataType.FLOAT).dup('c').data().asFloat();
                int predicted = 0;
                for (int c = 1; c < p.length; c++) {
                    if (p[c] > p[predicted]) {
                        predicted = c;
                    }
                }
                String line = String.format(Locale.ROOT, "%s: %s (%.2f)", modelNames.get(m),
                        className(classNames, predicted), p[predicted]);
                text(g, metrics, line, textX, y + (2 + m) * TEXT_HEIGHT, TEXT_WIDTH,
                        predicted == row.trueClass() ? RIGHT : WRONG);
            }
            y += rowH + PADDING;
        }
        g.dispose();
        return mosaic;
    }

    /** Writes a picture as PNG, atomically. */
    public static void write(BufferedImage picture, Path png) {
        AtomicFiles.write(png, file -> {
            if (!ImageIO.write(picture, "png", file.toFile())) {
                throw new java.io.IOException("no PNG writer available");
            }
        });
    }

    private static void legend(Graphics2D g, FontMetrics metrics, ClassPalette palette, int x) {
        int y = PADDING;
        int swatch = TEXT_HEIGHT - 4;
        for (int c = 0; c <= palette.classNames().size(); c++) {
            boolean ignoredRow = c == palette.classNames().size();
            g.setColor(ignoredRow ? ClassPalette.IGNORED : palette.color(c));
            g.fillRect(x + PADDING, y + 2, swatch, swatch);
            String name = ignoredRow ? "ignored" : palette.classNames().get(c);
            text(g, metrics, name, x + PADDING + swatch + PADDING, y, LEGEND_WIDTH - swatch - 3 * PADDING, TEXT);
            y += TEXT_HEIGHT;
        }
    }

    private static Graphics2D graphics(BufferedImage picture) {
        Graphics2D g = picture.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, picture.getWidth(), picture.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    /** Draws one line of text in the box at (x, top), shortened with an ellipsis to fit its width. */
    private static void text(Graphics2D g, FontMetrics metrics, String text, int x, int top, int width, Color color) {
        String shown = text;
        if (metrics.stringWidth(shown) > width) {
            while (!shown.isEmpty() && metrics.stringWidth(shown + "…") > width) {
                shown = shown.substring(0, shown.length() - 1);
            }
            shown += "…";
        }
        g.setColor(color);
        g.drawString(shown, x, top + (TEXT_HEIGHT + metrics.getAscent() - metrics.getDescent()) / 2);
    }

    private static BufferedImage scaled(BufferedImage picture, int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be >= 1, got " + scale);
        }
        if (scale == 1) {
            return picture;
        }
        BufferedImage big = new BufferedImage(picture.getWidth() * scale, picture.getHeight() * scale,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(picture, 0, 0, big.getWidth(), big.getHeight(), null);
        g.dispose();
        return big;
    }

    /** Drops leading size-1 axes until the array has {@code rank} axes. */
    private static INDArray squeezeLeading(INDArray array, int rank, String what) {
        INDArray a = array;
        while (a.rank() > rank && a.size(0) == 1) {
            a = a.reshape(Arrays.copyOfRange(a.shape(), 1, a.rank()));
        }
        if (rank == 3 && a.rank() == 2) {
            a = a.reshape(1, a.size(0), a.size(1));
        }
        if (a.rank() != rank) {
            throw new IllegalArgumentException("expected a " + what + " of rank " + rank + ", got shape "
                    + Arrays.toString(array.shape()));
        }
        return a;
    }

    /** {@code [H, W]} of an image. */
    private static long[] imageSize(INDArray image) {
        INDArray chw = squeezeLeading(image, 3, "image");
        return new long[]{chw.size(1), chw.size(2)};
    }

    private static int byteOf(float value) {
        return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
    }

    private static String className(List<String> classNames, int classId) {
        return classNames != null && classId >= 0 && classId < classNames.size()
                ? classNames.get(classId) : "class " + classId;
    }

    private static List<String> names(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(c -> "class " + c).toList();
    }
}

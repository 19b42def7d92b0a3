package io.distill4j.data;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Maps RGB mask colours to class ids, accepting colours within a per-channel tolerance of an entry (compression and
 * resampling leave near colours behind); the nearest entry wins where several are within reach.
 */
public final class ColorMap {

    /** The aerial-imagery classes and mask colours of the seed, in class-id order. */
    public static final List<DatasetSpec.ClassColor> AERIAL = List.of(
            new DatasetSpec.ClassColor("Building", "#3C1098"),
            new DatasetSpec.ClassColor("Land", "#8429F6"),
            new DatasetSpec.ClassColor("Road", "#6EC1E4"),
            new DatasetSpec.ClassColor("Vegetation", "#FEDD3A"),
            new DatasetSpec.ClassColor("Water", "#E2A929"),
            new DatasetSpec.ClassColor("Unlabeled", "#9B9B9B"));

    private final List<String> names;
    private final int[] rgb;
    private final int tolerance;
    /** Colours already looked up: masks hold few distinct colours, so this makes decoding a map lookup per pixel. */
    private final Map<Integer, Integer> cache = new HashMap<>();

    public ColorMap(List<DatasetSpec.ClassColor> entries, int tolerance) {
        this.names = entries.stream().map(e -> e.name).collect(Collectors.toUnmodifiableList());
        this.rgb = new int[entries.size()];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = parseHex(entries.get(i).color, "colorMap[" + i + "].color");
        }
        this.tolerance = tolerance;
    }

    public List<String> names() {
        return names;
    }

    public List<Color> colors() {
        List<Color> colors = new ArrayList<>();
        for (int c : rgb) {
            colors.add(new Color(c));
        }
        return Collections.unmodifiableList(colors);
    }

    /** The class id of an RGB colour ({@code 0xRRGGBB}), or -1 when no entry is within the tolerance. */
    public int classOf(int color) {
        int key = color & 0xFFFFFF;
        Integer known = cache.get(key);
        if (known != null) {
            return known;
        }
        int best = -1;
        int bestDistance = Integer.MAX_VALUE;
        for (int i = 0; i < rgb.length; i++) {
            int dr = Math.abs(((key >> 16) & 0xFF) - ((rgb[i] >> 16) & 0xFF));
            int dg = Math.abs(((key >> 8) & 0xFF) - ((rgb[i] >> 8) & 0xFF));
            int db = Math.abs((key & 0xFF) - (rgb[i] & 0xFF));
            if (Math.max(dr, Math.max(dg, db)) <= tolerance && dr + dg + db < bestDistance) {
                best = i;
                bestDistance = dr + dg + db;
            }
        }
        cache.put(key, best);
        return best;
    }

    /**
     * Class ids of an RGB mask, one byte per pixel.
     *
     * @throws DatasetException listing the colours outside the map with their pixel counts, naming the file
     */
    public byte[] classesOf(int[] pixels, Path file) {
        byte[] ids = new byte[pixels.length];
        Map<Integer, Integer> unmapped = new HashMap<>();
        for (int i = 0; i < pixels.length; i++) {
            int id = classOf(pixels[i]);
            if (id < 0) {
                unmapped.merge(pixels[i] & 0xFFFFFF, 1, Integer::sum);
            } else {
                ids[i] = (byte) id;
            }
        }
        if (!unmapped.isEmpty()) {
            String colours = unmapped.entrySet().stream()
                    .sorted(Map.Entry.<Integer, Integer>comparingByValue().reversed())
                    .limit(5)
                    .map(e -> hex(e.getKey()) + " (" + e.getValue() + " pixels)")
                    .collect(Collectors.joining(", "));
            throw new DatasetException("Mask " + file + ": colour " + colours
                    + (unmapped.size() > 5 ? " and " + (unmapped.size() - 5) + " more colours" : "")
                    + " not in the colour map " + describe() + " within tolerance " + tolerance);
        }
        return ids;
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < rgb.length; i++) {
            parts.add(names.get(i) + " " + hex(rgb[i]));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** {@code #RRGGBB} of an RGB int. */
    public static String hex(int color) {
        return String.format(Locale.ROOT, "#%06X", color & 0xFFFFFF);
    }

    /**
     * Parses {@code #RRGGBB}.
     *
     * @throws IllegalArgumentException naming the field and the value
     */
    public static int parseHex(String value, String field) {
        if (value == null || !value.matches("#[0-9A-Fa-f]{6}")) {
            throw new IllegalArgumentException(field + ": expected a colour #RRGGBB, got "
                    + (value == null ? "nothing" : "'" + value + "'"));
        }
        return Integer.parseInt(value.substring(1), 16);
    }

    /** A palette of {@code n} distinct colours for classes that have no colours of their own (black first). */
    public static List<Color> palette(int n) {
        // Tableau-10 after a black background entry, then evenly spaced hues.
        int[] base = {0x000000, 0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F,
                0xBCBD22, 0x17BECF};
        List<Color> colors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            colors.add(i < base.length ? new Color(base[i])
                    : Color.getHSBColor((i * 0.618034f) % 1f, 0.65f, 0.9f));
        }
        return Collections.unmodifiableList(colors);
    }
}

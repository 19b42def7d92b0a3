package io.distill4j.eval;

/** Makes AWT run without a display, so charts and mosaics render on servers and in CI. */
final class Headless {

    private Headless() {
    }

    /** Sets {@code java.awt.headless=true} unless the user chose; must run before AWT's first use, hence static init. */
    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}

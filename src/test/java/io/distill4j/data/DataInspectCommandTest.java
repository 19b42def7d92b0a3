package io.distill4j.data;

import io.distill4j.cli.DataCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code data inspect}: report and mosaics for segmentation and classification sets. */
class DataInspectCommandTest {

    @Test
    void inspectsTheDataSectionOfARunConfig(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, """
                name: some run
                data:
                  type: landcover
                  samples: 12
                  height: 32
                  width: 32
                  ignoreClass: Unlabeled
                """);
        Path out = dir.resolve("out");
        StringWriter printed = new StringWriter();
        CommandLine commandLine = new CommandLine(new DataCommand());
        commandLine.setOut(new PrintWriter(printed));
        int exit = commandLine.execute("inspect", "--config", config.toString(), "--out", out.toString(),
                "--samples", "3");
        assertEquals(0, exit);
        String report = printed.toString();
        assertTrue(report.contains("Vegetation") && report.contains("pixels") && report.contains("train")
                && report.contains("ignore index 5 (Unlabeled)"), report);
        for (String split : new String[]{"train", "validation", "test"}) {
            BufferedImage mosaic = ImageIO.read(out.resolve("samples-" + split + ".png").toFile());
            // image | mask, each 32 px zoomed 3×, with 4 px gaps.
            assertEquals(2 * 96 + 3 * 4, mosaic.getWidth(), split);
        }
    }

    @Test
    void runReturnsCountsThatAddUp(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("patches.yaml");
        Files.writeString(config, "type: landcover-patches\nsamples: 20\nheight: 16\nwidth: 16\n");
        DatasetInspection inspection = new DataCommand.Inspect().run(config, dir.resolve("out"), 4);
        assertEquals(Task.CLASSIFICATION, inspection.task());
        long images = 0;
        for (long[] split : inspection.counts()) {
            for (long count : split) {
                images += count;
            }
        }
        assertEquals(20, images);
        assertEquals(20, inspection.sizes()[0] + inspection.sizes()[1] + inspection.sizes()[2]);
        assertTrue(Files.exists(dir.resolve("out/samples-train.png")));
        assertTrue(inspection.report().contains("images"));
    }

    @Test
    void badConfigIsReportedByKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "data:\n  type: landcover\n  smaples: 3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataCommand.Inspect().run(config, dir, 2));
        assertTrue(e.getMessage().contains("'smaples'") && e.getMessage().contains(config.toString()),
                e.getMessage());
    }

    @Test
    void setOverridesAndTheFingerprintIsTrains(@TempDir Path dir) {
        java.util.List<String> set = java.util.List.of("data.samples=12", "data.height=16", "data.width=16");
        DatasetInspection inspection = new DataCommand.Inspect().run(null, set, dir.resolve("out"), 2);
        assertEquals(12, inspection.sizes()[0] + inspection.sizes()[1] + inspection.sizes()[2]);
        String trains = io.distill4j.train.Run.openData(io.distill4j.config.RunConfigs.load(null, set)).fingerprint();
        assertEquals(trains, inspection.fingerprint());
    }
}

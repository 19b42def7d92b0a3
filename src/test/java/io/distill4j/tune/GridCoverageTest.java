package io.distill4j.tune;

import io.distill4j.config.RunConfig;
import io.distill4j.train.TinyRuns;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A grid search cut short by tune.maxCandidates says how big the grid is and which points it left out. */
class GridCoverageTest {

    @Test
    void theGridCoverageListsThePointsACandidateLimitLeavesOut() {
        RunConfig config = TinyRuns.segmentation(Path.of("unused"));
        DistillationSpace space = new DistillationSpace(config.tune, 1e-3, 2);
        Sweep.GridCoverage cut = Sweep.gridCoverage(space, 3, 5, 42);
        assertEquals(9, cut.points(), "3 alphas x 3 temperatures");
        assertEquals(5, cut.run());
        assertEquals(4, cut.notRun().size());
        assertTrue(cut.cutShort());
        assertTrue(cut.describe().contains("9 points") && cut.describe().contains("4 do not"), cut.describe());
        assertEquals(4, cut.notRun().stream().distinct().count(), "distinct points");
        Sweep.GridCoverage whole = Sweep.gridCoverage(space, 3, 12, 42);
        assertTrue(!whole.cutShort() && whole.describe().contains("all of them run"), whole.describe());
    }

}

package io.distill4j.compress;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LotteryTicketTest {

    private static ComputationGraph net() {
        return UNetFactory.build(UNetSpec.of(List.of(2, 4), Task.SEGMENTATION, 3, 6, 16, 16));
    }

    private static DataSetIterator batches(long seed) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> list = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
            INDArray y = org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16).muli(5.999));
            list.add(new DataSet(x, y));
        }
        return new ListDataSetIterator<>(list, 2);
    }

    @Test
    void theRewindPointKeepsTheParametersAfterItsEpochAndEpochZeroIsTheInitialisation() {
        ComputationGraph graph = net();
        INDArray init = graph.params().dup();
        assertEquals(init, new LotteryTicket.RewindPoint(0, graph).params(), "epoch 0 = the initialisation");
        LotteryTicket.RewindPoint second = new LotteryTicket.RewindPoint(2, graph);
        graph.setListeners(second);
        DataSetIterator data = batches(1);
        graph.fit(data);
        INDArray afterOne = graph.params().dup();
        data.reset();
        graph.fit(data);
        INDArray afterTwo = graph.params().dup();
        data.reset();
        graph.fit(data);
        assertNotEquals(afterOne, afterTwo);
        assertEquals(afterTwo, second.params(), "the parameters at the end of epoch 2, not later");
    }

    @Test
    void rewindingRestoresTheRecordedValuesOfTheSurvivorsAndZeroesThePrunedWeights() {
        ComputationGraph trained = net();
        Nd4j.getRandom().setSeed(3);
        trained.setParams(Nd4j.randn(DataType.FLOAT, 1, trained.numParams()));
        Map<String, INDArray> masks = new LevelPruner(0.7, Map.of(), true).prune(trained, 1.0);
        ComputationGraph recorded = net();
        Nd4j.getRandom().setSeed(4);
        INDArray early = Nd4j.randn(DataType.FLOAT, 1, recorded.numParams());
        recorded.setParams(early.dup());

        ComputationGraph rewound = LotteryTicket.rewind(net(), early, masks);
        for (String layer : Layers.weighted(rewound)) {
            INDArray mask = masks.get(layer);
            assertEquals(Layers.weights(recorded, layer).mul(mask), Layers.weights(rewound, layer), layer);
            assertEquals(0.0, Layers.weights(rewound, layer).mul(mask.rsub(1)).norm1Number().doubleValue(), 0.0, layer);
            assertEquals(recorded.getLayer(layer).getParam(Layers.BIAS), rewound.getLayer(layer).getParam(Layers.BIAS),
                    layer + ": biases are rewound too");
        }
        assertEquals(Math.floor(0.7 * LevelPruner.report(rewound).weights()), LevelPruner.report(rewound).zeros(), 0.0);
    }

    @Test
    void theTicketTrainsUnderItsMaskAndTheReinitControlUsesTheSameMask(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        try (Run run = Run.start(config, "lottery test", new StopSignal())) {
            LotteryTicket.Settings settings = new LotteryTicket.Settings(0.75, 2, 1, 2, Map.of(), true);
            LotteryTicket lottery = new LotteryTicket(run.trainer(), settings);
            ComputationGraph init = LotteryTicket.initialised(net().getConfiguration(), 42);
            INDArray initParams = init.params().dup();
            LotteryTicket.Ticket ticket = lottery.find(init, "lottery");
            assertEquals(initParams, init.params(), "the initial network is not modified");
            assertEquals(2, ticket.rounds().size());
            assertEquals(1 - Math.sqrt(0.25), ticket.rounds().get(0).sparsity(), 0.01, "round 1 removes half");
            assertEquals(0.75, ticket.rounds().get(1).sparsity(), 0.01);
            assertNotEquals(initParams, ticket.rewindParams(), "rewound to epoch 1, not to the initialisation");
            ComputationGraph graph = ticket.ticket().graph();
            Map<String, INDArray> masks = ticket.ticket().masks();
            masks.forEach((layer, mask) -> assertEquals(0.0,
                    Layers.weights(graph, layer).mul(mask.rsub(1)).norm1Number().doubleValue(), 0.0,
                    layer + ": pruned weights stayed zero through training"));
            assertEquals(0.75, LevelPruner.report(graph).global(), 0.01);

            LotteryTicket.Masked reinit = lottery.randomReinit(init, masks, 43, "reinit");
            assertSame(masks, reinit.masks());
            for (String layer : masks.keySet()) {
                INDArray zeros = Layers.weights(reinit.graph(), layer).eq(0).castTo(DataType.FLOAT);
                assertEquals(masks.get(layer).rsub(1), zeros, layer + ": the same pruned positions");
            }
            assertNotEquals(initParams, LotteryTicket.initialised(init.getConfiguration(), 43).params(),
                    "the control starts from another initialisation");

            LotteryTicket.Masked oneShot = lottery.oneShot(ticket.dense(), "oneshot");
            assertEquals(0.75, LevelPruner.report(oneShot.graph()).global(), 0.01);
            LotteryTicket.Masked gradual = lottery.gradual(ticket.dense(), "gradual");
            assertEquals(0.75, LevelPruner.report(gradual.graph()).global(), 0.01);
            assertTrue(java.nio.file.Files.isRegularFile(run.folder().resolve("lottery-round2.zip")), "each round is a recorded model");
        }
    }

    @Test
    void badSettingsNameTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LotteryTicket.Settings(0.8, 3, 5, 5, Map.of(), true));
        assertTrue(e.getMessage().contains("rewind epoch 5 is not recorded"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LotteryTicket.Settings(1.0, 3, 1, 5, Map.of(), true));
        assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LotteryTicket.Settings(0.8, 0, 1, 5, Map.of(), true));
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
    }
}

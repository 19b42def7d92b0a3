/**
 * N2N learning (Ashok et al., ICLR 2018): the student's architecture learned by two DL4J policies trained with
 * REINFORCE, a bidirectional-LSTM layer-removal policy and then an LSTM layer-shrinkage policy, on the reward of
 * candidate U-Nets distilled from a fixed teacher ({@code distill4j search}).
 */
package io.distill4j.search;

/**
 * U-Net factory (teacher and student are two settings of one factory), the classification variant, the ResNet
 * classifiers ({@link io.distill4j.model.ResNetFactory}: any depth and width), Keras and zoo teachers, model I/O, the
 * analytic FLOP count ({@link io.distill4j.model.FlopCount}), the networks' convolution layers whose backward pass
 * does not recompute the forward pass ({@link io.distill4j.model.SingleForwardConvolution2D}; the 2×2 up-sampling
 * runs as matrix products), the 2×2 max pooling as a direct loop ({@link io.distill4j.model.DirectMaxPooling2D}), and
 * the CPU acceleration set-up that must run before the first network is built.
 */
package io.distill4j.model;

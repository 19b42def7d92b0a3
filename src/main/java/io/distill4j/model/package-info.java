/**
 * U-Net factory (teacher and student are two settings of one factory), the classification variant, model I/O, and the CPU acceleration set-up that must run before the first network is built.
 */
package io.distill4j.model;

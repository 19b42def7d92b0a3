/**
 * Command-line entry points (picocli). Commands are adapters: they map their options onto a typed entry point (the
 * {@code workflows} package, or train/tune/compress directly) and print its result; none calls another command.
 */
package io.distill4j.cli;

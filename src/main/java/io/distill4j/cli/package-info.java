/**
 * Command-line entry points (picocli). Commands are adapters: they map their options onto a typed entry point in
 * {@code workflows} (named options set typed config fields; {@code --set key=value} is the one string-based door) and
 * print its result; none calls another command.
 */
package io.distill4j.cli;

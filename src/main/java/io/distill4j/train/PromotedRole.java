package io.distill4j.train;

/**
 * What a promoted model is, as its file name says: {@code models/<run name>-<role>.zip}. A distilled and a scratch
 * student of one config therefore never overwrite each other.
 */
public enum PromotedRole {
    TEACHER("teacher"),
    /** The student trained on hard labels alone (the baseline). */
    STUDENT_SCRATCH("student-scratch"),
    /** The student trained from a teacher with the distillation loss. */
    STUDENT_DISTILLED("student-distilled"),
    /** The student whose architecture the N2N search found, distilled from the teacher. */
    N2N_STUDENT("n2n-student");

    private final String fileSuffix;

    PromotedRole(String fileSuffix) {
        this.fileSuffix = fileSuffix;
    }

    /** The part of the promoted file name after the run name. */
    public String fileSuffix() {
        return fileSuffix;
    }
}

package io.qmargin.spark;

import org.apache.spark.TaskContext;

/**
 * A deliberate task failure, for checking that a retried task changes no result: when the job's
 * local property {@value #PROPERTY} is {@code true}, the first attempt of partition 0 of each stage
 * that calls {@link #check} fails after doing its work. Off unless a caller sets the property.
 */
public final class FaultInjection {
  private FaultInjection() {}

  /** The local property (SparkContext.setLocalProperty) that turns the failure on. */
  public static final String PROPERTY = "qmargin.failFirstAttempt";

  /** Thrown by the injected failure. */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(String message) {
      super(message);
    }
  }

  /** Fails here if the property is on and this is the first attempt of partition 0. */
  public static void check() {
    TaskContext task = TaskContext.get();
    if (task != null
        && "true".equals(task.getLocalProperty(PROPERTY))
        && task.partitionId() == 0
        && task.attemptNumber() == 0) {
      throw new InjectedFailure(
          "injected failure of stage " + task.stageId() + ", partition 0, first attempt");
    }
  }
}

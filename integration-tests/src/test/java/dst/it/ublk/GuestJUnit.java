package dst.it.ublk;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.PrintWriter;
import java.util.Arrays;

/**
 * Runs JUnit test classes inside the ublk guest, where Maven is not (the host's tree is read-only
 * there and everything is emulated). Prints one {@code JUNIT:} line per test and a summary; exits 0
 * only when tests ran and none failed or was skipped: inside the guest a skipped ublk test means the
 * guest lacks what it exists for.
 *
 * <p>usage: {@code GuestJUnit CLASS...}
 */
public final class GuestJUnit {
    private GuestJUnit() {
    }

    public static void main(String[] args) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener lines = new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier id) {
                if (id.isTest()) System.out.println("JUNIT: started " + id.getDisplayName());
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("JUNIT: SKIPPED " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.println("JUNIT: " + result.getStatus() + " " + id.getDisplayName()
                            + result.getThrowable().map(t -> ": " + t).orElse(""));
                }
            }
        };
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(args).map(DiscoverySelectors::selectClass).toList()).build(), summary, lines);
        var s = summary.getSummary();
        s.printTo(new PrintWriter(System.out));
        s.printFailuresTo(new PrintWriter(System.out), 30);
        boolean ok = s.getTestsFoundCount() > 0 && s.getTotalFailureCount() == 0 && s.getTestsAbortedCount() == 0
                && s.getTestsSkippedCount() == 0 && s.getContainersFailedCount() == 0 && s.getContainersAbortedCount() == 0;
        System.out.println("JUNIT: " + (ok ? "PASSED" : "FAILED") + " " + s.getTestsSucceededCount() + "/" + s.getTestsFoundCount());
        System.exit(ok ? 0 : 1);
    }
}

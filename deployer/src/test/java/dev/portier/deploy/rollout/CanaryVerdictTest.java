package dev.portier.deploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portier.deploy.rollout.CanaryVerdict.Outcome;
import dev.portier.deploy.rollout.CanaryVerdict.Thresholds;
import dev.portier.deploy.traffic.BackendFigures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryVerdictTest {

    private static final CanaryVerdict DEFAULTS = new CanaryVerdict(Thresholds.DEFAULTS);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                     | new req | new 5xx | new p99 | ref req | ref 5xx | ref p99 | over  | outcome
            nothing seen yet                           | 0       | 0       | 0       | 0       | 0       | 0       | false | WAIT
            too few requests, clean                    | 49      | 0       | 5       | 900     | 0       | 5       | false | WAIT
            too few requests at the end                | 49      | 0       | 5       | 900     | 0       | 5       | true  | INCONCLUSIVE
            no request at all at the end               | 0       | 0       | 0       | 900     | 0       | 5       | true  | INCONCLUSIVE
            one 5xx in 10 is certain above 1 point     | 10      | 1       | 5       | 900     | 0       | 5       | false | FAIL
            clear failure is judged early              | 12      | 6       | 5       | 900     | 0       | 5       | false | FAIL
            not certain yet: 1 of 50 within 2 points   | 10      | 1       | 5       | 1000    | 10      | 5       | false | WAIT
            clean after the minimum                    | 50      | 0       | 5       | 900     | 0       | 5       | false | WAIT
            clean at the end                           | 500     | 0       | 5       | 5000    | 0       | 5       | true  | PASS
            1 % on a 0 % reference is within 1 point   | 100     | 1       | 5       | 900     | 0       | 5       | true  | PASS
            2 % on a 0 % reference is past 1 point     | 100     | 2       | 5       | 900     | 0       | 5       | false | FAIL
            as bad as the reference is fine            | 1000    | 50      | 5       | 9000    | 450     | 5       | true  | PASS
            worse than a noisy reference by 1.5 points | 1000    | 65      | 5       | 9000    | 450     | 5       | false | FAIL
            p99 three times but under the floor        | 500     | 0       | 150     | 5000    | 0       | 50      | true  | PASS
            p99 three times and over the floor         | 500     | 0       | 600     | 5000    | 0       | 200     | true  | FAIL
            p99 is judged over the whole window only   | 500     | 0       | 600     | 5000    | 0       | 200     | false | WAIT
            p99 just under twice                       | 500     | 0       | 399     | 5000    | 0       | 200     | true  | PASS
            reference too small: p99 not judged        | 500     | 0       | 5000    | 20      | 0       | 10      | true  | PASS
            reference too small: its 5xx count as 0    | 500     | 25      | 5       | 20      | 10      | 10      | false | FAIL
            """)
    void judges(String name, long newRequests, long new5xx, double newP99, long refRequests, long ref5xx, double refP99,
                boolean windowOver, Outcome expected) {
        CanaryVerdict.Verdict v = DEFAULTS.judge(new BackendFigures(newRequests, new5xx, newP99),
                new BackendFigures(refRequests, ref5xx, refP99), windowOver);
        assertEquals(expected, v.outcome(), v.reason());
        assertTrue(v.reason().contains("new " + newRequests + " requests"), "the figures are named: " + v.reason());
    }

    @ParameterizedTest(name = "min-requests 0, over {0}: {1}")
    @CsvSource({"false, WAIT", "true, PASS"})
    void withoutMinimumNoTrafficPassesAtTheEnd(boolean over, Outcome expected) {
        CanaryVerdict v = new CanaryVerdict(new Thresholds(0.01, 2.0, 200, 0));
        assertEquals(expected, v.judge(BackendFigures.NONE, BackendFigures.NONE, over).outcome());
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({"-0.1, 2, 200, 50", "1.5, 2, 200, 50", "0.01, 0.5, 200, 50", "0.01, 2, -1, 50", "0.01, 2, 200, -1"})
    void nonsenseThresholdsAreRefused(double errors, double ratio, double floor, long min) {
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(errors, ratio, floor, min));
    }
}

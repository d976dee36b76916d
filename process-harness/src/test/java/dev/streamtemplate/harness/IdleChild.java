package dev.streamtemplate.harness;

/** A child JVM for tests that does nothing until it is stopped. */
public final class IdleChild {

    private IdleChild() {
    }

    /** Waits forever. */
    public static void main(String[] args) throws InterruptedException {
        Object never = new Object();
        synchronized (never) {
            never.wait();
        }
    }
}

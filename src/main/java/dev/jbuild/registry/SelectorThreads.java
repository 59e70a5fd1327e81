package dev.jbuild.registry;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Stops the selector threads of {@code java.net.http} clients, which Java 17 cannot close (Java 21
 * added {@code HttpClient.close()}). Each client's {@code HttpClient-N-SelectorManager} thread
 * lives until the client is garbage collected, waiting in {@code epoll_wait}, that is in native
 * code; and at exit HotSpot waits up to 300 ms for every thread in native code to block
 * ({@code VM_Exit::wait_for_threads_in_native_to_block}). So every command that had sent one
 * request took 0.3 s longer to end than one that had not: a third of a re-push. The selector loop
 * ends when its thread is interrupted (on 17 and on 25 alike), closing the client's connections
 * on its way out.
 *
 * <p>The thread is found by name: the JDK names it after the client's number, which the client's
 * {@code toString()} ends with ({@code jdk.internal.net.http.HttpClientImpl@1b2c3d(7)}). A JDK that
 * names them otherwise leaves the threads running, which costs only that time at exit.
 */
final class SelectorThreads {

    /** How long to wait for each thread to end: its shutdown closes a few sockets. */
    private static final long JOIN_MILLIS = 200;

    private SelectorThreads() {}

    /** Interrupts the selector threads of {@code clients} and waits (bounded) for them to end. */
    static void stop(Collection<HttpClient> clients) {
        Set<String> names = new HashSet<>();
        for (HttpClient client : clients) {
            String number = number(client.toString());
            if (number != null) {
                names.add(threadName(number));
            }
        }
        if (names.isEmpty()) {
            return;
        }
        List<Thread> stopping = new ArrayList<>();
        for (Thread thread : allThreads()) {
            if (names.contains(thread.getName())) {
                thread.interrupt();
                stopping.add(thread);
            }
        }
        try {
            for (Thread thread : stopping) {
                thread.join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String threadName(String number) {
        return "HttpClient-" + number + "-SelectorManager";
    }

    /** The digits between the last {@code (} and a final {@code )}, or null. */
    static String number(String description) {
        int open = description.lastIndexOf('(');
        if (open < 0 || !description.endsWith(")") || open + 2 > description.length() - 1) {
            return null;
        }
        String digits = description.substring(open + 1, description.length() - 1);
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return null;
            }
        }
        return digits;
    }

    private static List<Thread> allThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(threads, true);
        return Arrays.asList(threads).subList(0, n);
    }
}

package dev.weft.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Histories that are serializable and opaque by construction: transactions run one at a time
 * against plain maps, spread round-robin over a few logical threads; some attempts are aborted
 * after reading the current state (a consistent snapshot) and their writes dropped. The checker
 * must accept every one of them, at any size.
 */
final class SerialHistories {
    private SerialHistories() {}

    static HistoryRecorder generate(long seed, int transactions, int threads) {
        SplittableRandom random = new SplittableRandom(seed);
        HistoryRecorder recorder = new HistoryRecorder();
        ThreadRecorder[] recorders = new ThreadRecorder[threads];
        for (int i = 0; i < threads; i++) {
            recorders[i] = recorder.newThreadRecorder();
        }
        Map<Long, Long> registers = new HashMap<>();
        Map<Long, List<Long>> lists = new HashMap<>();
        for (int n = 0; n < transactions; n++) {
            ThreadRecorder rec = recorders[n % threads];
            boolean abort = random.nextInt(10) == 0;
            long window = n / 200;
            Map<Long, Long> registerWrites = new HashMap<>();
            Map<Long, List<Long>> appended = new HashMap<>();
            rec.begin();
            int ops = 1 + random.nextInt(4);
            for (int i = 0; i < ops; i++) {
                int choice = random.nextInt(4);
                if (choice < 2) { // register: read, maybe then write
                    long key = random.nextInt(16);
                    long seen = registerWrites.getOrDefault(key, registers.getOrDefault(key, 0L));
                    rec.read(key, seen);
                    if (choice == 1) {
                        long value = rec.uniqueValue();
                        rec.write(key, value);
                        registerWrites.put(key, value);
                    }
                } else { // list in the current window of 8 keys
                    long key = 1_000 + window * 8 + random.nextInt(8);
                    List<Long> seen = new ArrayList<>(lists.getOrDefault(key, List.of()));
                    seen.addAll(appended.getOrDefault(key, List.of()));
                    if (choice == 2) {
                        rec.readList(key, seen.stream().mapToLong(Long::longValue).toArray());
                    } else {
                        long element = rec.uniqueValue();
                        rec.append(key, element);
                        appended.computeIfAbsent(key, k -> new ArrayList<>()).add(element);
                    }
                }
            }
            if (abort) {
                rec.abort();
            } else {
                rec.commit();
                registers.putAll(registerWrites);
                appended.forEach((key, elements) -> lists.computeIfAbsent(key, k -> new ArrayList<>()).addAll(elements));
            }
        }
        return recorder;
    }
}

package dev.weft.bench.stmbench7;

import dev.weft.bench.MultiverseSite;
import org.multiverse.api.StmUtils;
import org.multiverse.api.Txn;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnIntCallable;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.collections.TxnMap;
import org.multiverse.api.references.TxnInteger;
import org.multiverse.api.references.TxnRef;

/**
 * The module over Multiverse 0.7 (an executor per operation, see {@link MultiverseSite};
 * snapshot isolation): a
 * {@link TxnInteger} per attribute of an atomic part, a {@link TxnRef} per base assembly slot,
 * and Multiverse's transactional hash map ({@code StmUtils.newTxnHashMap()}) as the index. Each
 * operation is one transaction. Snapshot isolation is enough for these operations: every update
 * writes each ref it reads, and the read-only operations only read.
 *
 * <p>Thread-safety: thread-safe; workers are per thread.
 */
public final class MultiverseModule implements ModuleWorkload {
    private final Design design;
    private final AtomicPart[] parts;
    private final CompositePart[] composites;
    private final BaseAssembly[] baseAssemblies;
    private final ComplexAssembly designRoot;
    private final TxnMap<Integer, AtomicPart> partsById = StmUtils.newTxnHashMap();
    /** One executor per operation (call site), shared by the workers. */
    private final TxnExecutor traverseSite = MultiverseSite.executor();
    private final TxnExecutor lookUpSite = MultiverseSite.executor();
    private final TxnExecutor readBaseSite = MultiverseSite.executor();
    private final TxnExecutor swapPartSite = MultiverseSite.executor();
    private final TxnExecutor updateCompositeSite = MultiverseSite.executor();
    private final TxnExecutor exchangeSite = MultiverseSite.executor();

    /** @param design the design to build */
    public MultiverseModule(Design design) {
        this.design = design;
        parts = new AtomicPart[design.parts()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new AtomicPart(p, design.x(p), design.y(p), design.buildDate(p));
        }
        for (AtomicPart part : parts) {
            for (int c = 0; c < Design.CONNECTIONS_PER_PART; c++) {
                part.to[c] = parts[design.connection(part.number, c)];
            }
        }
        composites = new CompositePart[Design.COMPOSITE_PARTS];
        for (int c = 0; c < composites.length; c++) {
            AtomicPart[] own = new AtomicPart[Design.PARTS_PER_COMPOSITE];
            System.arraycopy(parts, Design.firstPart(c), own, 0, own.length);
            composites[c] = new CompositePart(own);
        }
        baseAssemblies = new BaseAssembly[design.baseAssemblies()];
        for (int b = 0; b < baseAssemblies.length; b++) {
            baseAssemblies[b] = new BaseAssembly();
            for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                baseAssemblies[b].components[s] = StmUtils.newTxnRef(composites[design.component(b, s)]);
            }
        }
        designRoot = complexAssembly(0);
        StmUtils.atomic((TxnVoidCallable) tx -> {
            for (AtomicPart part : parts) {
                partsById.put(tx, design.key(part.number), part);
            }
        });
    }

    private ComplexAssembly complexAssembly(int number) {
        ComplexAssembly assembly = new ComplexAssembly(design.hasBaseAssemblies(number));
        for (int c = 0; c < Design.ASSEMBLIES_PER_ASSEMBLY; c++) {
            if (assembly.hasBaseAssemblies) {
                assembly.baseAssemblies[c] = baseAssemblies[design.child(number, c)];
            } else {
                assembly.subAssemblies[c] = complexAssembly(design.child(number, c));
            }
        }
        return assembly;
    }

    @Override
    public String name() {
        return "Multiverse";
    }

    @Override
    public Design design() {
        return design;
    }

    @Override
    public Worker newWorker() {
        return new MultiverseWorker();
    }

    @Override
    public ModuleState snapshot() {
        ModuleState state = ModuleState.sizedFor(design);
        StmUtils.atomic((TxnVoidCallable) tx -> {
            for (AtomicPart part : parts) {
                state.x()[part.number] = part.x.get(tx);
                state.y()[part.number] = part.y.get(tx);
                state.buildDate()[part.number] = part.buildDate.get(tx);
            }
            for (int b = 0; b < baseAssemblies.length; b++) {
                for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                    state.components()[b][s] = baseAssemblies[b].components[s].get(tx).number;
                }
            }
        });
        return state;
    }

    private static final class AtomicPart {
        final int number;
        final TxnInteger x;
        final TxnInteger y;
        final TxnInteger buildDate;
        final AtomicPart[] to = new AtomicPart[Design.CONNECTIONS_PER_PART];

        AtomicPart(int number, int x, int y, int buildDate) {
            this.number = number;
            this.x = StmUtils.newTxnInteger(x);
            this.y = StmUtils.newTxnInteger(y);
            this.buildDate = StmUtils.newTxnInteger(buildDate);
        }

        void swapXY(Txn tx) {
            int oldX = x.get(tx);
            x.set(tx, y.get(tx));
            y.set(tx, oldX);
            buildDate.set(tx, Design.nextBuildDate(buildDate.get(tx)));
        }
    }

    private static final class CompositePart {
        final int number;
        final AtomicPart root;
        final AtomicPart[] parts;

        CompositePart(AtomicPart[] parts) {
            this.number = parts[0].number / Design.PARTS_PER_COMPOSITE;
            this.root = parts[0];
            this.parts = parts;
        }
    }

    private static final class BaseAssembly {
        @SuppressWarnings("unchecked") // no generic array creation in Java
        final TxnRef<CompositePart>[] components =
                (TxnRef<CompositePart>[]) new TxnRef<?>[Design.COMPONENTS_PER_BASE_ASSEMBLY];
    }

    private static final class ComplexAssembly {
        final boolean hasBaseAssemblies;
        final ComplexAssembly[] subAssemblies;
        final BaseAssembly[] baseAssemblies;

        ComplexAssembly(boolean hasBaseAssemblies) {
            this.hasBaseAssemblies = hasBaseAssemblies;
            subAssemblies = hasBaseAssemblies ? null : new ComplexAssembly[Design.ASSEMBLIES_PER_ASSEMBLY];
            baseAssemblies = hasBaseAssemblies ? new BaseAssembly[Design.ASSEMBLIES_PER_ASSEMBLY] : null;
        }
    }

    /** Bodies built once, arguments in fields, as in {@link WeftModule}. */
    private final class MultiverseWorker implements Worker {
        private final TxnLongCallable traverseBody = this::traverseOnce;
        private final TxnIntCallable lookUpBody = this::lookUpOnce;
        private final TxnIntCallable readBaseBody = this::readBaseOnce;
        private final TxnVoidCallable swapPartBody = this::swapPartOnce;
        private final TxnVoidCallable updateCompositeBody = this::updateCompositeOnce;
        private final TxnVoidCallable exchangeBody = this::exchangeOnce;
        private final VisitMarks marks = new VisitMarks(parts.length);
        private final AtomicPart[] stack = new AtomicPart[Design.PARTS_PER_COMPOSITE];
        private int visits;
        private int[] lookUps;
        private int target; // the part of swapPart, the composite of updateComposite
        private int base;
        private int slot;
        private int otherBase;
        private int otherSlot;

        @Override
        public long traverse() {
            return traverseSite.execute(traverseBody);
        }

        @Override
        public int visits() {
            return visits;
        }

        @Override
        public int lookUpParts(int[] parts) {
            lookUps = parts;
            return lookUpSite.execute(lookUpBody);
        }

        @Override
        public int readBaseAssembly(int base) {
            this.base = base;
            return readBaseSite.execute(readBaseBody);
        }

        @Override
        public void swapPart(int part) {
            target = part;
            swapPartSite.execute(swapPartBody);
        }

        @Override
        public void updateComposite(int composite) {
            target = composite;
            updateCompositeSite.execute(updateCompositeBody);
        }

        @Override
        public void exchangeComponents(int base, int slot, int otherBase, int otherSlot) {
            this.base = base;
            this.slot = slot;
            this.otherBase = otherBase;
            this.otherSlot = otherSlot;
            exchangeSite.execute(exchangeBody);
        }

        private long traverseOnce(Txn tx) {
            visits = 0;
            return traverse(tx, designRoot);
        }

        private long traverse(Txn tx, ComplexAssembly assembly) {
            long sum = 0;
            if (!assembly.hasBaseAssemblies) {
                for (ComplexAssembly sub : assembly.subAssemblies) {
                    sum += traverse(tx, sub);
                }
                return sum;
            }
            for (BaseAssembly base : assembly.baseAssemblies) {
                for (TxnRef<CompositePart> component : base.components) {
                    sum += traverseGraph(tx, component.get(tx));
                }
            }
            return sum;
        }

        private long traverseGraph(Txn tx, CompositePart composite) {
            AtomicPart[] stack = this.stack;
            marks.startWalk();
            marks.visit(composite.root.number);
            stack[0] = composite.root;
            int top = 1;
            long sum = 0;
            while (top > 0) {
                AtomicPart part = stack[--top];
                visits++;
                sum += part.x.get(tx) + part.y.get(tx);
                for (AtomicPart next : part.to) {
                    if (marks.visit(next.number)) {
                        stack[top++] = next;
                    }
                }
            }
            return sum;
        }

        private int lookUpOnce(Txn tx) {
            int mismatches = 0;
            for (int number : lookUps) {
                AtomicPart part = partsById.get(tx, design.key(number));
                if (part.x.get(tx) + part.y.get(tx) != design.xPlusY(part.number)) {
                    mismatches++;
                }
            }
            return mismatches;
        }

        private int readBaseOnce(Txn tx) {
            int mismatches = 0;
            for (TxnRef<CompositePart> component : baseAssemblies[base].components) {
                for (AtomicPart part : component.get(tx).parts) {
                    if (part.x.get(tx) + part.y.get(tx) != design.xPlusY(part.number)) {
                        mismatches++;
                    }
                }
            }
            return mismatches;
        }

        private void swapPartOnce(Txn tx) {
            partsById.get(tx, design.key(target)).swapXY(tx);
        }

        private void updateCompositeOnce(Txn tx) {
            for (AtomicPart part : composites[target].parts) {
                part.swapXY(tx);
            }
        }

        private void exchangeOnce(Txn tx) {
            TxnRef<CompositePart> one = baseAssemblies[base].components[slot];
            TxnRef<CompositePart> other = baseAssemblies[otherBase].components[otherSlot];
            CompositePart held = one.get(tx);
            one.set(tx, other.get(tx));
            other.set(tx, held);
        }
    }
}

package queuelab.flink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * queuelab's Apache Flink peer: one keyed event-time window query (streams/SEMANTICS.md) on a
 * local mini-cluster of parallelism 1, reading an event file of CSV lines {@code seq,key,ts,value}
 * in file order.
 *
 * <pre>
 *   WindowJob run INPUT OUTDIR QUERY...   writes OUTDIR/NAME.results.csv and OUTDIR/NAME.late.csv per query
 *   WindowJob throughput INPUT QUERY      prints one JSON line: events, seconds, eventsPerSecond, results, late
 *
 *   QUERY = NAME=tumbling:SIZE:B:K:L | NAME=sliding:SIZE:SLIDE:B:K:L | NAME=session:GAP:B:K:L
 * </pre>
 *
 * B is the bounded out-of-orderness (watermark = maxTs - B - 1, emitted after every K events,
 * never periodically), L the allowed lateness, all in ms. Results are
 * {@code key,start,end,firing,count,sum,min,max,mean}; late events are written as read. Bad
 * arguments or a bad event line: a message naming what was wrong, exit code 2.
 */
public final class WindowJob {
  private WindowJob() {}

  /** Raised for bad arguments or input: main prints it and exits with code 2. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }

  /** One event of the file. */
  public static final class Event {
    public long seq;
    public long key;
    public long ts;
    public long value;

    public Event() {}

    String csv() {
      return seq + "," + key + "," + ts + "," + value;
    }
  }

  /** The running aggregates of one window. */
  public static final class Acc {
    public long count;
    public long sum;
    public long min = Long.MAX_VALUE;
    public long max = Long.MIN_VALUE;

    public Acc() {}
  }

  /** One parsed query. */
  static final class Query {
    String name;
    String kind;
    long size;
    long slide;
    long gap;
    long outOfOrderness;
    long every;
    long lateness;
  }

  /** Processing time of the first event parsed and of the last window firing (throughput mode). */
  static final AtomicLong FIRST_NANOS = new AtomicLong(0);
  static final AtomicLong LAST_NANOS = new AtomicLong(0);

  public static void main(String[] args) throws Exception {
    try {
      if (args.length < 1) throw new BadInput("usage: WindowJob run INPUT OUTDIR QUERY... | WindowJob throughput INPUT QUERY");
      switch (args[0]) {
        case "run" -> {
          if (args.length < 4) throw new BadInput("run needs INPUT OUTDIR and at least one QUERY");
          java.nio.file.Path input = existingFile(args[1]);
          java.nio.file.Path outDir = java.nio.file.Path.of(args[2]);
          List<Query> queries = new ArrayList<>();
          for (int i = 3; i < args.length; i++) queries.add(parseQuery(args[i]));
          Files.createDirectories(outDir);
          java.util.Set<String> names = new java.util.HashSet<>();
          for (Query query : queries) if (!names.add(query.name)) throw new BadInput("QUERY " + query.name + ": the name is used twice");
          runQueries(input, outDir, queries);
        }
        case "throughput" -> {
          if (args.length != 3) throw new BadInput("throughput needs INPUT and one QUERY");
          throughput(existingFile(args[1]), parseQuery(args[2]));
        }
        default -> throw new BadInput("mode: expected run or throughput, got " + args[0]);
      }
    } catch (Exception error) {
      BadInput bad = badInputIn(error);
      if (bad == null) throw error;
      System.err.println("WindowJob: " + bad.getMessage());
      System.exit(2);
    }
  }

  private static BadInput badInputIn(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BadInput bad) return bad;
      // a failed job carries the parse error as text once it crossed the mini-cluster
      String message = t.getMessage();
      if (message != null && message.contains("WindowJob bad event line")) {
        int at = message.indexOf("WindowJob bad event line");
        return new BadInput(message.substring(at).split("\n")[0]);
      }
    }
    return null;
  }

  private static java.nio.file.Path existingFile(String name) {
    java.nio.file.Path path = java.nio.file.Path.of(name);
    if (!Files.isRegularFile(path)) throw new BadInput("INPUT: no such event file: " + name);
    return path.toAbsolutePath();
  }

  static Query parseQuery(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) throw new BadInput("QUERY: expected NAME=KIND:..., got " + text);
    Query q = new Query();
    q.name = text.substring(0, eq);
    if (!q.name.matches("[A-Za-z0-9_-]+")) throw new BadInput("QUERY name: letters, digits, _ and - only, got " + q.name);
    String[] parts = text.substring(eq + 1).split(":");
    q.kind = parts[0];
    int sizes = switch (q.kind) {
      case "tumbling", "session" -> 1;
      case "sliding" -> 2;
      default -> throw new BadInput("QUERY " + q.name + ": window kind must be tumbling, sliding or session, got " + q.kind);
    };
    if (parts.length != 1 + sizes + 3) {
      throw new BadInput("QUERY " + q.name + ": " + q.kind + " takes " + (sizes + 3) + " numbers (sizes, B, K, L), got " + (parts.length - 1));
    }
    long[] n = new long[parts.length - 1];
    String[] names = q.kind.equals("sliding")
        ? new String[] {"size", "slide", "B", "K", "L"}
        : new String[] {q.kind.equals("session") ? "gap" : "size", "B", "K", "L"};
    for (int i = 0; i < n.length; i++) {
      try {
        n[i] = Long.parseLong(parts[i + 1]);
      } catch (NumberFormatException e) {
        throw new BadInput("QUERY " + q.name + " " + names[i] + ": expected an integer, got " + parts[i + 1]);
      }
      long least = names[i].equals("B") || names[i].equals("L") ? 0 : 1;
      if (n[i] < least) throw new BadInput("QUERY " + q.name + " " + names[i] + ": expected an integer >= " + least + ", got " + n[i]);
    }
    int i = 0;
    if (q.kind.equals("session")) q.gap = n[i++];
    else q.size = n[i++];
    if (q.kind.equals("sliding")) q.slide = n[i++];
    q.outOfOrderness = n[i++];
    q.every = n[i++];
    q.lateness = n[i];
    return q;
  }

  /** Bounded out-of-orderness, emitted after every {@code every} events and never periodically. */
  static final class EveryKEvents implements WatermarkGenerator<Event> {
    private final long outOfOrderness;
    private final long every;
    private long maxTs;
    private long seen;

    EveryKEvents(long outOfOrderness, long every) {
      this.outOfOrderness = outOfOrderness;
      this.every = every;
      this.maxTs = Long.MIN_VALUE + outOfOrderness + 1; // as Flink's BoundedOutOfOrdernessWatermarks
    }

    @Override
    public void onEvent(Event event, long timestamp, WatermarkOutput output) {
      maxTs = Math.max(maxTs, timestamp);
      seen++;
      if (seen % every == 0) output.emitWatermark(new Watermark(maxTs - outOfOrderness - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      // deterministic: watermarks only after every K events (and +inf at the end of input)
    }
  }

  /** A line of the file to an event; a bad line fails the job with a message naming it. */
  static final class Parse extends RichMapFunction<String, Event> {
    @Override
    public Event map(String line) {
      FIRST_NANOS.compareAndSet(0, System.nanoTime());
      String[] f = line.split(",", -1);
      if (f.length != 4) throw new IllegalArgumentException("WindowJob bad event line (expected seq,key,ts,value): " + line);
      Event e = new Event();
      try {
        e.seq = Long.parseLong(f[0].trim());
        e.key = Long.parseLong(f[1].trim());
        e.ts = Long.parseLong(f[2].trim());
        e.value = Long.parseLong(f[3].trim());
      } catch (NumberFormatException error) {
        throw new IllegalArgumentException("WindowJob bad event line (integers expected): " + line);
      }
      if (e.ts < 0) throw new IllegalArgumentException("WindowJob bad event line (ts must be >= 0): " + line);
      return e;
    }
  }

  /** count, sum, min and max of the values; merged for session windows. */
  static final class Aggregates implements AggregateFunction<Event, Acc, Acc> {
    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc add(Event e, Acc a) {
      a.count++;
      a.sum += e.value;
      a.min = Math.min(a.min, e.value);
      a.max = Math.max(a.max, e.value);
      return a;
    }

    @Override
    public Acc getResult(Acc a) {
      return a;
    }

    @Override
    public Acc merge(Acc a, Acc b) {
      Acc m = new Acc();
      m.count = a.count + b.count;
      m.sum = a.sum + b.sum;
      m.min = Math.min(a.min, b.min);
      m.max = Math.max(a.max, b.max);
      return m;
    }
  }

  /**
   * One result line per firing, with its firing index: the number of results the same
   * {@code (key, start, end)} emitted before (streams/SEMANTICS.md, "Firing"). Flink refuses
   * per-window state for merging (session) windows, so the count lives in keyed state, a map
   * from each fired window {@code start:end} of the key to its firings so far. When Flink clears a
   * window (watermark at maxTimestamp + allowed lateness) its entry goes, with those of the
   * sessions merged into it (a window merged away never comes back: the cover holds its range
   * until it is itself too late for any event there).
   */
  static final class Firings extends ProcessWindowFunction<Acc, String, Long, TimeWindow> {
    private static final MapStateDescriptor<String, Integer> FIRED = new MapStateDescriptor<>("fired", Types.STRING, Types.INT);

    @Override
    public void process(Long key, Context context, Iterable<Acc> aggregates, Collector<String> out) throws Exception {
      Acc a = aggregates.iterator().next();
      TimeWindow w = context.window();
      MapState<String, Integer> fired = context.globalState().getMapState(FIRED);
      String id = w.getStart() + ":" + w.getEnd();
      Integer before = fired.get(id);
      int firing = before == null ? 0 : before;
      fired.put(id, firing + 1);
      double mean = (double) a.sum / a.count;
      out.collect(key + "," + w.getStart() + "," + w.getEnd() + "," + firing + "," + a.count + "," + a.sum + ","
          + a.min + "," + a.max + "," + mean);
      LAST_NANOS.set(System.nanoTime());
    }

    @Override
    public void clear(Context context) throws Exception {
      TimeWindow w = context.window();
      MapState<String, Integer> fired = context.globalState().getMapState(FIRED);
      List<String> covered = new ArrayList<>();
      for (String id : fired.keys()) {
        int colon = id.indexOf(':');
        long start = Long.parseLong(id.substring(0, colon));
        long end = Long.parseLong(id.substring(colon + 1));
        if (start >= w.getStart() && end <= w.getEnd()) covered.add(id);
      }
      for (String gone : covered) fired.remove(gone);
    }
  }

  /** The events of the file, parsed, in file order (no timestamps yet). */
  static DataStream<Event> events(StreamExecutionEnvironment env, java.nio.file.Path input) {
    FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input.toUri())).build();
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), "event file").map(new Parse()).name("parse");
  }

  /**
   * A sink writing each line to a local file (parallelism 1: one writer), after a header line.
   * The job runs in this JVM, so the file is on this machine; main renames it once the job has
   * finished, and deletes it if the job failed.
   */
  static final class LinesToFile implements Sink<String> {
    private final String path;
    private final String header;

    LinesToFile(java.nio.file.Path path, String header) {
      this.path = path.toString();
      this.header = header;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
      BufferedWriter out = Files.newBufferedWriter(java.nio.file.Path.of(path), StandardCharsets.UTF_8);
      out.write(header);
      out.write('\n');
      return new SinkWriter<>() {
        @Override
        public void write(String line, Context context) throws IOException {
          out.write(line);
          out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }
  }

  static final String RESULTS_HEADER = "key,start,end,firing,count,sum,min,max,mean";
  static final String LATE_HEADER = "seq,key,ts,value";

  /**
   * One query on the parsed events: timestamps and its own watermarks, keyBy, the window with
   * allowed lateness and late side output; results and late events go to the two files as CSV
   * lines, or are discarded when {@code results} is null (throughput mode).
   */
  static void pipeline(DataStream<Event> parsed, Query q, java.nio.file.Path results, java.nio.file.Path late) {
    long outOfOrderness = q.outOfOrderness; // the strategy is serialized: capture numbers, not the query
    long every = q.every;
    WatermarkStrategy<Event> watermarks = WatermarkStrategy
        .<Event>forGenerator(context -> new EveryKEvents(outOfOrderness, every))
        .withTimestampAssigner((event, previous) -> event.ts);
    DataStream<Event> events = parsed.assignTimestampsAndWatermarks(watermarks).name(q.name + ": watermark every " + q.every + " events");
    WindowedStream<Event, Long, TimeWindow> windowed = switch (q.kind) {
      case "tumbling" -> events.keyBy(e -> e.key, Types.LONG).window(TumblingEventTimeWindows.of(Duration.ofMillis(q.size)));
      case "sliding" -> events.keyBy(e -> e.key, Types.LONG)
          .window(SlidingEventTimeWindows.of(Duration.ofMillis(q.size), Duration.ofMillis(q.slide)));
      default -> events.keyBy(e -> e.key, Types.LONG).window(EventTimeSessionWindows.withGap(Duration.ofMillis(q.gap)));
    };
    OutputTag<Event> lateTag = new OutputTag<>("late " + q.name, TypeInformation.of(Event.class));
    SingleOutputStreamOperator<String> fired = windowed
        .allowedLateness(Duration.ofMillis(q.lateness))
        .sideOutputLateData(lateTag)
        .aggregate(new Aggregates(), new Firings())
        .name(q.name + ": " + q.kind + " window");
    DataStream<Event> lateEvents = fired.getSideOutput(lateTag);
    if (results == null) {
      fired.sinkTo(new DiscardingSink<>());
      lateEvents.sinkTo(new DiscardingSink<>());
      return;
    }
    fired.sinkTo(new LinesToFile(results, RESULTS_HEADER)).name(q.name + ": results file");
    lateEvents.map(Event::csv).name(q.name + ": late lines").sinkTo(new LinesToFile(late, LATE_HEADER)).name(q.name + ": late file");
  }

  static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    // The mini-cluster's blob server, REST endpoint and task manager listen on loopback only, not
    // on every interface.
    conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
    conf.set(TaskManagerOptions.HOST, "127.0.0.1");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(1);
    env.getConfig().setAutoWatermarkInterval(0); // no periodic watermarks: only EveryKEvents's
    env.getConfig().enableObjectReuse(); // chained operators hand records on without copying them (each event is a new object)
    return env;
  }

  /**
   * Runs every query in one job (one read of the file, one branch per query), each writing its
   * results and late events to temporary files, renamed once the job has finished.
   */
  static void runQueries(java.nio.file.Path input, java.nio.file.Path outDir, List<Query> queries) throws Exception {
    StreamExecutionEnvironment env = environment();
    DataStream<Event> parsed = events(env, input);
    List<java.nio.file.Path> temporary = new ArrayList<>();
    for (Query q : queries) {
      java.nio.file.Path results = outDir.resolve(q.name + ".results.csv.tmp");
      java.nio.file.Path late = outDir.resolve(q.name + ".late.csv.tmp");
      temporary.add(results);
      temporary.add(late);
      pipeline(parsed, q, results, late);
    }
    long started = System.nanoTime();
    try {
      env.execute("queuelab window queries");
    } catch (Exception error) {
      for (java.nio.file.Path path : temporary) Files.deleteIfExists(path);
      throw error;
    }
    for (java.nio.file.Path path : temporary) {
      String name = path.getFileName().toString();
      Files.move(path, path.resolveSibling(name.substring(0, name.length() - ".tmp".length())),
          StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    System.err.printf("WindowJob: %d queries done in %.1f s%n", queries.size(), (System.nanoTime() - started) / 1e9);
  }

  static void throughput(java.nio.file.Path input, Query q) throws Exception {
    long events;
    try (var lines = Files.lines(input)) {
      events = lines.count();
    }
    StreamExecutionEnvironment env = environment();
    pipeline(events(env, input), q, null, null);
    FIRST_NANOS.set(0);
    LAST_NANOS.set(0);
    var result = env.execute("queuelab throughput " + q.name);
    long first = FIRST_NANOS.get();
    long last = LAST_NANOS.get();
    if (first == 0 || last == 0) throw new IllegalStateException("the job's clocks were not set (did the job run in this JVM?)");
    double seconds = (last - first) / 1e9;
    System.out.printf("{\"events\":%d,\"seconds\":%.6f,\"eventsPerSecond\":%.1f,\"jobMs\":%d}%n",
        events, seconds, events / seconds, result.getNetRuntime());
  }
}

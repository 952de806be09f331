# frozen_string_literal: true

# Stalker's tj3 driver: reads and schedules a .tjp with TaskJuggler's own library, as the `tj3` command
# does, then writes every task's computed dates (and the resources booked on it) to one small
# tab-separated file instead of running tj3's report machinery, which took most of a large run's time.
#
#   ruby driver.rb <project.tjp> <result file>
#   ruby driver.rb --serve <fd>      (warm mode, see Server below)
#
# TaskJuggler's messages stay as tj3 prints them: `file:line: Warning|Error: ...` on stderr, progress
# lines (`Scheduling scenario Plan ... [ Done ]`) on stdout, plus our own `Exporting results`.
# Exit status: 0 the result is written; 1 TaskJuggler reported errors (or this driver crashed); 2 bad
# arguments; 3 the TaskJuggler library cannot be loaded by this Ruby.
#
# Result file, one line per task in TaskJuggler's order, fields separated by tabs:
#   stalker-tj3-result 1
#   <dotted task id> <start> <end> <resource ids>
#   end <number of task lines>
# Times are Unix seconds of scenario 0; resources (leaf tasks only) are the ones with bookings on the
# task, comma-separated and sorted by id as tj3's booking export sorts them.

$stdout.sync = true

begin
  require 'taskjuggler/TaskJuggler'
rescue LoadError => e
  warn "stalker-driver: cannot load TaskJuggler (#{e.message})"
  exit 3
end

module StalkerDriver
  FORMAT = 'stalker-tj3-result 1'
  SCENARIO = 0

  module_function

  # Parse, schedule and export like `tj3 file.tjp` does up to its reports; the exit status.
  def run(tjp_file, result_file)
    TaskJuggler::Log.silent = false
    Term::ANSIColor.coloring = false
    messages = TaskJuggler::MessageHandlerInstance.instance
    messages.reset
    # As tj3: an error raises TjRuntimeError here instead of calling `exit` deep inside the library.
    messages.trapSetup = true
    tj = TaskJuggler.new
    return 1 unless tj.parse([tjp_file])
    # tj3 fails on errors counted during scheduling even when `schedule` itself returned true.
    return 1 if !tj.schedule || messages.errors.positive?

    export(tj.project, result_file)
    0
  rescue TaskJuggler::TjRuntimeError
    1
  ensure
    messages&.trapSetup = false
  end

  def export(project, result_file)
    TaskJuggler::Log.startProgressMeter('Exporting results')
    partial = "#{result_file}.part"
    count = 0
    File.open(partial, 'w') do |file|
      file.write(FORMAT, "\n")
      project.tasks.each do |task|
        file.write(row(task), "\n")
        count += 1
      end
      file.write("end #{count}\n")
    end
    # A reader never sees a half-written result.
    File.rename(partial, result_file)
    TaskJuggler::Log.stopProgressMeter
  end

  def row(task)
    start = task['start', SCENARIO]
    finish = task['end', SCENARIO]
    # Only leaf tasks hold bookings; a container's list is its children's, which tj3's export leaves out.
    resources = task.leaf? ? task['assignedresources', SCENARIO].map(&:fullId).sort.join(',') : ''
    [task.fullId, start ? start.to_i : '-', finish ? finish.to_i : '-', resources].join("\t")
  end

  def main(argv)
    return Server.new(Integer(argv[1])).serve if argv.length == 2 && argv[0] == '--serve'

    unless argv.length == 2
      warn 'usage: driver.rb <project.tjp> <result file> | driver.rb --serve <socket fd>'
      return 2
    end
    run(argv[0], argv[1])
  rescue StandardError => e
    # Not TaskJuggler's own message: the backtrace, then one last line in tj3's format for the runner.
    warn e.backtrace.join("\n") if e.backtrace
    warn "Error: the Stalker tj3 driver crashed: #{e.class}: #{e.message}"
    1
  end
end

module StalkerDriver
  # Warm mode: load the library once, schedule a small project once so YJIT has compiled the hot paths,
  # then fork one child per request; the child starts with all of that done. The worker talks over the
  # Unix socket at <fd>, one request at a time:
  #   worker -> server  "<run directory>\t<project.tjp>\t<result file>\n" with the child's stdout and
  #                     stderr pipes attached (SCM_RIGHTS)
  #   server -> worker  "pid <child pid>\n" (so the worker can SIGKILL it at its timeout), then
  #                     "exit <status>\n" (a negative status: killed by that signal)
  # The server says "ready\n" once warm, and exits when the socket closes, killing a running child.
  class Server
    def initialize(fd)
      require 'socket'
      require 'tmpdir'
      @socket = UNIXSocket.for_fd(fd)
      @buffer = +''
    end

    def serve
      warm_up
      @socket.write("ready\n")
      while (request = next_request)
        line, pipes = request
        directory, tjp_file, result_file = line.split("\t")
        pid = fork { child(directory, tjp_file, result_file, pipes) }
        pipes.each(&:close)
        begin
          @socket.write("pid #{pid}\n")
        rescue SystemCallError
          # The worker went away between its request and our answer: the child must not run on alone.
          Process.kill(:KILL, pid)
          Process.wait(pid)
          raise
        end
        status = wait_for(pid)
        return 0 if status.nil?

        @socket.write("exit #{status.exitstatus || -status.termsig}\n")
      end
      0
    end

    private

    # The next request line and the IOs sent with it; nil when the worker has gone.
    def next_request
      pipes = []
      until (newline = @buffer.index("\n"))
        data, _, _, *controls = @socket.recvmsg(4096, 0, nil, scm_rights: true)
        return nil if data.nil? || data.empty?

        @buffer << data
        controls.each { |control| pipes.concat(control.unix_rights || []) }
      end
      line = @buffer.slice!(0..newline).chomp
      [line, pipes]
    end

    def child(directory, tjp_file, result_file, pipes)
      @socket.close
      $stdout.reopen(pipes[0])
      $stderr.reopen(pipes[1])
      pipes.each(&:close)
      $stdout.sync = true
      Dir.chdir(directory)
      code = StalkerDriver.main([tjp_file, result_file])
      $stdout.flush
      $stderr.flush
      exit!(code)
    end

    # The child's status; nil (after killing it) when the worker closed the socket meanwhile.
    def wait_for(pid)
      watcher = Thread.new do
        @socket.wait_readable
        Thread.current[:gone] = @socket.recv(1, Socket::MSG_PEEK).empty?
        Process.kill(:KILL, pid) if Thread.current[:gone]
      rescue Errno::ESRCH
        nil
      end
      _, status = Process.wait2(pid)
      watcher.join(0.01)
      gone = watcher[:gone]
      watcher.kill
      gone ? nil : status
    end

    def warm_up
      Dir.mktmpdir('stalker-warm-') do |directory|
        File.write(File.join(directory, 'warm.tjp'), WarmProject.text)
        quietly do
          Dir.chdir(directory) { StalkerDriver.run('warm.tjp', 'warm.tsv') }
        end
      end
    end

    def quietly
      saved = [$stdout.dup, $stderr.dup]
      $stdout.reopen(File::NULL)
      $stderr.reopen(File::NULL)
      yield
    ensure
      $stdout.reopen(saved[0])
      $stderr.reopen(saved[1])
      saved.each(&:close)
    end
  end

  # A small show with the features the renderer uses: allocations with alternatives, dependencies with
  # gaps, milestones, priorities; scheduled once at start-up to warm the code paths up.
  module WarmProject
    module_function

    def text
      shots = (1..40).map { |n| shot(n) }.join
      <<~TJP
        project warm "Warm" 2025-01-06-00:00-+0000 - 2026-01-06-00:00-+0000 {
          timingresolution 60min
          timezone "UTC"
          now 2025-01-06-09:00-+0000
          dailyworkinghours 9
          weekstartsmonday
          workinghours mon - fri 09:00 - 18:00
          workinghours sat, sun off
          scenario plan "Plan"
          trackingscenario plan
        }
        resource team "Team" {
          resource r1 "r1" { }
          resource r2 "r2" { efficiency 0.5 }
          resource r3 "r3" { vacation 2025-02-03-00:00-+0000 - 2025-02-05-00:00-+0000 }
        }
        task show "Show" {
        #{shots}}
        taskreport breakdown "breakdown" {
          formats csv
          columns id, start, end
        }
      TJP
    end

    def shot(number)
      <<~TJP
        task s#{number} "S#{number}" {
          task a "a" {
            priority #{400 + (number % 3) * 100}
            effort #{1 + (number % 3)}d
            allocate r#{1 + (number % 3)} { alternative r1, r2, r3 select minallocated persistent }
          }
          task b "b" {
            depends !a { gaplength 1d }
            length 2d
            allocate r2
          }
          task c "c" {
            depends !b, !a
            effort 6h
            allocate r3
          }
          task m "m" {
            depends !c
            milestone
          }
        }
      TJP
    end
  end
end

exit StalkerDriver.main(ARGV) if $PROGRAM_NAME == __FILE__

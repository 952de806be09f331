# frozen_string_literal: true

# Stalker's tj3 driver: reads and schedules a .tjp with TaskJuggler's own library, as the `tj3` command
# does, then writes every task's computed dates (and the resources booked on it) to one small
# tab-separated file instead of running tj3's report machinery, which took most of a large run's time.
#
#   ruby driver.rb <project.tjp> <result file>
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
    unless argv.length == 2
      warn 'usage: driver.rb <project.tjp> <result file>'
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

exit StalkerDriver.main(ARGV) if $PROGRAM_NAME == __FILE__
